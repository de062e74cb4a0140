"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import get_settings


@pytest.fixture()
def local_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`tandem serve` in local auth mode on a fresh data dir, with no serve settings inherited."""
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TANDEM_AUTH_MODE", "local")
    monkeypatch.delenv("TANDEM_INSECURE_LOCAL_AUTH_ON_PUBLIC_ADDRESS", raising=False)
    monkeypatch.delenv("TANDEM_SERVE_WORKERS", raising=False)
    # keep the test's own log capture (serve would reroute the root logger to JSON on stderr)
    monkeypatch.setattr("server.logs.configure_json_logging", lambda: None)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
