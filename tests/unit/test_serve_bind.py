"""`tandem serve` refuses a public address in local auth mode unless loudly allowed."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.serve import is_loopback
from config.settings import get_settings

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com"])
def test_serve_refuses_a_public_address_in_local_mode(local_env, host: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", host, "--port", "0"], env=ENV)
    assert result.exit_code == 2, result.output
    assert "refusing to serve on" in result.output
    assert "TANDEM_INSECURE_LOCAL_AUTH_ON_PUBLIC_ADDRESS" in result.output


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_addresses_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1", "localhost.example.com", ""])
def test_other_addresses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_the_insecure_setting_lets_it_bind_and_warns(
    local_env, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TANDEM_INSECURE_LOCAL_AUTH_ON_PUBLIC_ADDRESS", "true")
    get_settings.cache_clear()
    started: dict[str, Any] = {}
    # stand in for the blocking server loop: record what it would have served
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.update(options))
    caplog.set_level(logging.WARNING, logger="tandem.serve")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"], env=ENV)
    assert result.exit_code == 0, result.output
    assert started["host"] == "0.0.0.0"
    assert any("non-loopback address 0.0.0.0" in r.getMessage() for r in caplog.records)


def test_cognito_mode_binds_any_address(local_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_AUTH_MODE", "cognito")
    get_settings.cache_clear()
    started: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.update(options))
    monkeypatch.setattr("server.app.create_app", lambda settings: object())
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"], env=ENV)
    assert result.exit_code == 0, result.output
    assert started["host"] == "0.0.0.0"
