"""The long-term store the graph is compiled with is safe to share between worker threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from config.settings import Settings
from memory.long_term import CustomerMemory
from wiring.persistence import open_long_term_store


def test_sqlite_store_is_shared_by_worker_threads(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", store_backend="sqlite")
    with open_long_term_store(settings) as store:
        memory = CustomerMemory(store, "demo")

        def remember(index: int) -> int:
            customer = f"customer_{index % 4}"
            memory.save_profile(customer, {"name": customer, "last_seen": index})
            memory.remember_conversation(customer, f"c{index}", f"summary {index}")
            return len(memory.conversation_summaries(customer, limit=100))

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(remember, range(64)))

        counts = [len(memory.conversation_summaries(f"customer_{i}", limit=100)) for i in range(4)]
        assert counts == [16, 16, 16, 16]
        assert CustomerMemory(store, "other").conversation_summaries("customer_0") == []
    with open_long_term_store(settings) as reopened:
        assert CustomerMemory(reopened, "demo").profile("customer_1")["name"] == "customer_1"


def test_sqlite_store_commits_to_a_write_ahead_log(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", store_backend="sqlite")
    with open_long_term_store(settings) as store:
        conn = store.conn  # type: ignore[attr-defined]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        CustomerMemory(store, "demo").save_profile("customer_1", {"name": "A"})


def test_the_conversation_runtime_compiles_the_graph_with_the_store(settings, services) -> None:
    import asyncio

    from wiring.root import Root
    from wiring.turns import open_turns

    async def check() -> None:
        async with open_turns(Root(settings, services)) as turns:
            assert turns.graph.store is turns.memory
            assert turns.memory is not None

    asyncio.run(check())
    with Root(settings, services).open_graph() as graph:
        assert graph.store is not None
