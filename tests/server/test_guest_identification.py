"""A guest conversation (a channel that could not prove who wrote) becomes the customer's
once the graph identifies them, and its handoff row names them for the agents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conversations.hub import EventHub, QueueFeed
from conversations.runner import TurnRunner
from conversations.store_sqlite import SqliteServerStore
from graphs.context import Context
from tools.orders.seed import DEMO_EMAIL, DEMO_USER_ID


async def _turn(runner: TurnRunner, hub: EventHub, text: str) -> list[dict[str, Any]]:
    cursor = await runner.start_customer_turn("conv", text, "sms", Context(customer_id=None))
    return [event async for _, event in hub.follow("conv", cursor, until_done=True)]


async def test_a_guest_who_identifies_by_email_owns_the_conversation(
    graph: Any, tmp_path: Path
) -> None:
    store = SqliteServerStore(tmp_path / "queue.sqlite")
    store.create_conversation("conv", None, "sms")
    hub = EventHub(store)
    runner = TurnRunner(graph, store, hub, QueueFeed())

    first = await _turn(runner, hub, "where is my order?")
    assert first[-1]["type"] == "done" and first[-1]["customer_id"] is None
    assert store.get_conversation("conv")["customer_id"] is None  # type: ignore[index]

    second = await _turn(runner, hub, f"my email is {DEMO_EMAIL}")
    assert second[-1]["customer_id"] == DEMO_USER_ID
    assert store.get_conversation("conv")["customer_id"] == DEMO_USER_ID  # type: ignore[index]
    assert [c["id"] for c in store.list_conversations(DEMO_USER_ID, 10, 0)] == ["conv"]

    third = await _turn(runner, hub, "I want to talk to a human")
    assert any(e["type"] == "handoff" for e in third)
    assert store.get_handoff("conv")["customer_id"] == DEMO_USER_ID  # type: ignore[index]
    await runner.drain()
    store.close()
