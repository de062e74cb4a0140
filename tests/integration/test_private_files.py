"""Every data file Tandem creates is 0600 in a 0700 folder, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config.private_files import DIR_MODE, FILE_MODE, private_dir, private_file
from config.settings import Settings
from server.app import create_app


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (as on many hosts), so modes come from the code alone."""
    previous = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_helper_creates_and_narrows(tmp_path: Path, open_umask: None) -> None:
    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    (existing / "old.sqlite").write_text("")
    (existing / "old.sqlite").chmod(0o644)
    assert private_file(existing / "old.sqlite") == str(existing / "old.sqlite")
    assert _mode(existing) == DIR_MODE and _mode(existing / "old.sqlite") == FILE_MODE
    fresh = private_file(tmp_path / "a" / "b" / "new.sqlite")
    assert _mode(Path(fresh)) == FILE_MODE and _mode(Path(fresh).parent) == DIR_MODE
    assert private_file(":memory:") == ":memory:"
    assert _mode(private_dir(tmp_path / "c")) == DIR_MODE


def test_a_served_turn_leaves_only_private_files(tmp_path: Path, open_umask: None) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", model="", checkpointer="sqlite", rate_limit_per_minute=1000
    )
    app = create_app(settings)
    with TestClient(app) as client:
        token = client.post(
            "/v1/auth/local-token", json={"sub": "alex_morgan_1001", "role": "customer"}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        conversation = client.post("/v1/conversations", json={"channel": "web"}, headers=headers)
        assert conversation.status_code == 201, conversation.text
        url = f"/v1/conversations/{conversation.json()['id']}/messages"
        with client.stream("POST", url, json={"text": "where is my order?"}, headers=headers) as r:
            assert r.status_code == 200
            r.read()
    data = tmp_path / "data"
    databases = [p for p in data.rglob("*") if p.is_file() and ".sqlite" in p.name]
    assert {p.name for p in databases} >= {"checkpoints.sqlite", "orders.sqlite"}
    assert _mode(data) == DIR_MODE, "nothing under the data folder is reachable by others"
    for path in databases:  # with their -wal and -shm files
        assert _mode(path) == FILE_MODE, path
        assert _mode(path.parent) == DIR_MODE, path.parent
