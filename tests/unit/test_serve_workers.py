"""`tandem serve --workers N`: how many workers, when they are refused, how they are started."""

from __future__ import annotations

import fcntl
import pickle
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import server.serving as serving
from cli.main import app
from config.settings import Settings, get_settings

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def test_one_worker_per_core_unless_told(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert serving.worker_count(settings, None) == serving.cpu_cores()
    assert serving.worker_count(settings, 3) == 3
    assert serving.worker_count(Settings(data_dir=tmp_path, serve_workers=5), None) == 5


@pytest.mark.parametrize(
    "change",
    [{"checkpointer": "memory"}, {"lease_backend": "local"}, {"server_store_backend": "dynamodb"}],
)
def test_backends_that_cannot_be_shared_default_to_one_worker(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    settings = Settings(data_dir=tmp_path, **change)
    assert serving.workers_unsupported(settings)
    assert serving.worker_count(settings, None) == 1


def test_several_workers_on_memory_checkpoints_are_refused(
    local_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_CHECKPOINTER", "memory")
    get_settings.cache_clear()
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: pytest.fail("must not serve"))
    result = CliRunner().invoke(app, ["serve", "--port", "0", "--workers", "2"], env=ENV)
    assert result.exit_code == 2, result.output
    assert "2 workers cannot share state" in result.output and "memory" in result.output


def test_workers_are_started_by_uvicorns_supervisor_on_a_picklable_protocol(
    local_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr(
        "uvicorn.run", lambda target, **options: started.update(options, target=target)
    )
    result = CliRunner().invoke(app, ["serve", "--port", "0", "--workers", "3"], env=ENV)
    assert result.exit_code == 0, result.output
    assert started["target"] == "server.serving:worker_app" and started["factory"] is True
    assert started["workers"] == 3
    # Worker processes receive the options pickled: the protocol class must survive it.
    assert pickle.loads(pickle.dumps(started["http"])) is serving.SettingsHeaderTimeoutProtocol


def test_one_worker_runs_the_smtp_server_on_a_fixed_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving, "_smtp_lock", None)
    settings = Settings(data_dir=tmp_path)
    tmp_path.mkdir(exist_ok=True)
    with (tmp_path / "smtp.lock").open("ab") as other_worker:
        fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert serving._takes_smtp(settings) is False, "another worker holds it"
    assert serving._takes_smtp(settings) is True, "free again once that worker is gone"
    assert serving._takes_smtp(settings) is True, "and this worker keeps it"
    assert serving._smtp_lock is not None
    serving._smtp_lock.close()
