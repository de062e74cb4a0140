"""The runner keeps nothing per conversation once its turns are over (a long-lived server
sees an unbounded number of conversations)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from conversations.hub import EventHub, QueueFeed
from conversations.runner import TurnRunner
from conversations.store_sqlite import SqliteServerStore
from graphs.context import Context


async def test_finished_conversations_leave_no_lock_behind(graph: Any, tmp_path: Path) -> None:
    store = SqliteServerStore(tmp_path / "queue.sqlite")
    hub = EventHub(store)
    runner = TurnRunner(graph, store, hub, QueueFeed())
    context = Context(customer_id="alex_morgan_1001")
    for n in range(3):
        cursor = await runner.start_customer_turn(f"c{n}", "hi", "web", context)
        events = [event async for _, event in hub.follow(f"c{n}", cursor, until_done=True)]
        assert events[-1]["type"] == "done"
    await runner.drain()
    gc.collect()
    assert len(runner._locks) == 0
    assert not runner.busy("c0")
    store.close()
