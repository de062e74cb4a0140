"""Worker processes opening the same fresh data folder at once all start.

`tandem serve --workers N` starts N processes at the same moment; each opens the SQLite
files and applies their schemas. The long-term memory store's migrations add columns,
which fails in every process but the first when they run together.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from config.settings import Settings
from conversations.store_sqlite import SqliteServerStore

PROCESSES = 4
FOLDERS = 12


def _open_together(root: str, barrier: Barrier) -> None:
    """Open each fresh folder's files at the same moment as the other processes."""
    from wiring.persistence import open_long_term_store

    for folder in range(FOLDERS):
        settings = Settings(data_dir=Path(root) / str(folder), auth_mode="local")
        barrier.wait(timeout=60)
        with open_long_term_store(settings) as store:
            store.put(("profile",), "key", {"ok": True})
        SqliteServerStore(settings.data_dir / "server.db").close()


def test_processes_opening_fresh_folders_together_all_succeed(tmp_path: Path):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    workers = [
        context.Process(target=_open_together, args=(str(tmp_path), barrier))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES, (
        "a process failed to open a folder another was setting up at the same time"
    )
