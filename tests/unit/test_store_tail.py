"""The store tail: events another process persisted reach this process's streams, and a
tick reads only the conversations that got events, however many streams are open."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

from conversations import store_tail
from conversations.hub import EventHub
from conversations.store_sqlite import SqliteServerStore
from conversations.store_tail import StoreTail


def _message(text: str) -> dict[str, Any]:
    return {"type": "customer_message", "text": text}


class _CountingStore(SqliteServerStore):
    """This process's store, counting the per-conversation event reads."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads: Counter[str] = Counter()

    def events_after(self, conversation_id: str, after: int, *args: Any, **kwargs: Any) -> Any:
        self.reads[conversation_id] += 1
        return super().events_after(conversation_id, after, *args, **kwargs)


def _two_processes(tmp_path: Path) -> tuple[_CountingStore, SqliteServerStore, EventHub]:
    """This process's store and hub, and another process's connection to the same file."""
    path = tmp_path / "queue.db"
    here = _CountingStore(path)
    return here, SqliteServerStore(path), EventHub(here)


async def test_a_tick_reads_only_the_conversations_with_new_events(tmp_path, monkeypatch):
    monkeypatch.setattr(store_tail, "FULL_CHECK_TICKS", 1_000)
    here, other_process, hub = _two_processes(tmp_path)
    followed = [f"c{i}" for i in range(20)]
    seen: dict[str, list[str]] = {cid: [] for cid in followed}

    async def follow(conversation_id: str) -> None:
        async for _, event in hub.follow(conversation_id, 0, until_done=False):
            seen[conversation_id].append(event["text"])

    streams = [asyncio.create_task(follow(cid)) for cid in followed]
    await asyncio.sleep(0.05)
    here.reads.clear()
    tail = asyncio.create_task(StoreTail(here, hub, interval=0.01).run())
    try:
        for n in range(1, 6):
            other_process.append_event("c3", n, _message(f"hello {n}"))
            await asyncio.sleep(0.05)
        for _ in range(100):
            if len(seen["c3"]) == 5:
                break
            await asyncio.sleep(0.02)
        assert seen["c3"] == [f"hello {n}" for n in range(1, 6)]
        assert set(here.reads) == {"c3"}, "the other 19 streams cost no read"
        assert all(not texts for cid, texts in seen.items() if cid != "c3")
    finally:
        for task in [tail, *streams]:
            task.cancel()
        await asyncio.gather(tail, *streams, return_exceptions=True)


async def test_reused_row_numbers_make_every_stream_catch_up(tmp_path, monkeypatch):
    monkeypatch.setattr(store_tail, "FULL_CHECK_TICKS", 1_000)
    here, other_process, hub = _two_processes(tmp_path)
    other_process.append_event("gone", 1, _message("old"))
    other_process.append_event("gone", 2, _message("old"))
    seen: list[str] = []

    async def follow() -> None:
        async for _, event in hub.follow("kept", 0, until_done=False):
            seen.append(event["text"])

    stream = asyncio.create_task(follow())
    await asyncio.sleep(0.05)
    tail = asyncio.create_task(StoreTail(here, hub, interval=0.05).run())
    try:
        await asyncio.sleep(0.1)  # the tail has read the highest row (2)
        other_process.delete_conversation("gone")
        # The freed row number 1 is taken again: no row above the last one seen.
        other_process.append_event("kept", 1, _message("after the delete"))
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.02)
        assert seen == ["after the delete"]
    finally:
        for task in (tail, stream):
            task.cancel()
        await asyncio.gather(tail, stream, return_exceptions=True)
