"""`tandem auth` sub-commands, driven through typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from cli.auth import auth_app
from config.settings import Settings, get_settings
from server.auth import Principal, verifier_from_settings

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "data"
    monkeypatch.setenv("TANDEM_DATA_DIR", str(folder))
    monkeypatch.setenv("TANDEM_AUTH_MODE", "local")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _verify(data_dir: Path, token: str) -> Principal:
    return verifier_from_settings(Settings(data_dir=data_dir, auth_mode="local")).verify(token)


def test_customer_token_verifies(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(auth_app, ["token", "--role", "customer", "--sub", "alice"], env=ENV)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.count(".") == 2 and "\n" not in token
    principal = _verify(data_dir, token)
    assert (principal.sub, principal.role, principal.customer_id) == ("alice", "customer", "alice")
    assert principal.token_use == "access"
    assert (data_dir / "auth" / "local-issuer-key.pem").is_file()


def test_id_token_with_options(runner: CliRunner, data_dir: Path) -> None:
    args = ["token", "--role", "customer", "--sub", "u-1", "--customer-id", "C-1001"]
    args += ["--name", "Alex Morgan", "--id-token", "--ttl", "120"]
    result = runner.invoke(auth_app, args, env=ENV)
    assert result.exit_code == 0, result.output
    principal = _verify(data_dir, result.stdout.strip())
    assert (principal.customer_id, principal.name, principal.token_use) == (
        "C-1001",
        "Alex Morgan",
        "id",
    )


def test_agent_token(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(auth_app, ["token", "--role", "agent", "--sub", "sam"], env=ENV)
    assert result.exit_code == 0, result.output
    principal = _verify(data_dir, result.stdout.strip())
    assert principal.is_agent and principal.customer_id is None


def test_bad_role_exits_2(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(auth_app, ["token", "--role", "root", "--sub", "x"], env=ENV)
    assert result.exit_code == 2
    assert "unknown role 'root'" in result.output
    assert "customer, agent, admin" in result.output
    assert not (data_dir / "auth").exists()


def test_cognito_mode_is_refused(
    runner: CliRunner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_AUTH_MODE", "cognito")
    get_settings.cache_clear()
    for args in (["token", "--role", "agent", "--sub", "x"], ["jwks"]):
        result = runner.invoke(auth_app, args, env=ENV)
        assert result.exit_code == 2
        assert "cognito" in result.output.lower()
        assert "TANDEM_AUTH_MODE=local" in result.output
    assert not (data_dir / "auth").exists()


def test_jwks_matches_the_signing_key(runner: CliRunner, data_dir: Path) -> None:
    token = runner.invoke(auth_app, ["token", "--role", "admin", "--sub", "root"], env=ENV)
    result = runner.invoke(auth_app, ["jwks"], env=ENV)
    assert result.exit_code == 0, result.output
    keys = json.loads(result.stdout)["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and "d" not in keys[0]
    assert jwt.get_unverified_header(token.stdout.strip())["kid"] == keys[0]["kid"]


def test_verify_command(runner: CliRunner, data_dir: Path) -> None:
    token = runner.invoke(auth_app, ["token", "--role", "admin", "--sub", "root"], env=ENV)
    result = runner.invoke(auth_app, ["verify", token.stdout.strip()], env=ENV)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["role"] == "admin"
    bad = runner.invoke(auth_app, ["verify", "garbage"], env=ENV)
    assert bad.exit_code == 1
    assert "malformed_token" in bad.output


@pytest.mark.parametrize("relative", [True, False])
def test_token_from_another_folder_verifies_on_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner, relative: bool
) -> None:
    """The CLI, run elsewhere with the server's environment, signs with the server's key."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.setattr("config.settings.PROJECT_ROOT", project)
    data = "var/data" if relative else str(tmp_path / "elsewhere-data")
    monkeypatch.setenv("TANDEM_DATA_DIR", data)
    monkeypatch.setenv("TANDEM_AUTH_MODE", "local")
    server_cwd, cli_cwd = tmp_path / "server", tmp_path / "cli"
    server_cwd.mkdir()
    cli_cwd.mkdir()

    monkeypatch.chdir(server_cwd)
    server_settings = Settings()
    verifier = verifier_from_settings(server_settings)  # the server creates the key first

    monkeypatch.chdir(cli_cwd)
    get_settings.cache_clear()
    try:
        result = runner.invoke(auth_app, ["token", "--role", "agent", "--sub", "dana"], env=ENV)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert verifier.verify(result.output.strip()).sub == "dana"
    expected = project / "var" / "data" if relative else tmp_path / "elsewhere-data"
    assert server_settings.local_issuer_key == expected / "auth" / "local-issuer-key.pem"
    assert not (cli_cwd / "var").exists()


def test_secret_prints_the_same_private_secret_each_time(runner: CliRunner, data_dir: Path) -> None:
    first = runner.invoke(auth_app, ["secret"], env=ENV)
    second = runner.invoke(auth_app, ["secret"], env=ENV)
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert first.output == second.output and len(first.output.strip()) >= 40
    stored = data_dir / "auth" / "local-secret"
    assert stored.read_text().strip() == first.output.strip()
    assert stored.stat().st_mode & 0o777 == 0o600
