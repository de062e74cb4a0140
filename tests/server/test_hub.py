"""The event hub keeps numbering and resumability when idle conversations leave memory."""

from __future__ import annotations

import conversations.event_window as event_window
import conversations.hub as hub_module
from conversations.hub import EventHub
from conversations.store_sqlite import SqliteServerStore


async def _turn(hub: EventHub, conversation_id: str) -> list[int]:
    seqs = [await hub.publish(conversation_id, {"type": "customer_message", "text": "hi"})]
    seqs.append(await hub.publish(conversation_id, {"type": "token", "text": "Hel"}))
    seqs.append(
        await hub.publish(
            conversation_id,
            {
                "type": "done",
                "conversation_id": "c",
                "reply": "Hel",
                "waiting_for_human": False,
                "handoff_status": "none",
            },
        )
    )
    return seqs


async def test_idle_logs_are_evicted_and_numbering_continues(monkeypatch):
    monkeypatch.setattr(hub_module, "MEMORY_CONVERSATIONS", 2)
    hub = EventHub(SqliteServerStore(":memory:"))
    assert await _turn(hub, "a") == [1, 2, 3]
    await _turn(hub, "b")
    await _turn(hub, "c")
    assert "a" not in hub._logs and set(hub._logs) == {"b", "c"}

    assert hub.cursor("a") == 3, "followers continue from the latest persisted event"
    block = hub_module.SEQ_BLOCK
    assert await _turn(hub, "a") == [block + 1, block + 2, block + 3]
    resumed = [seq async for seq, _ in hub.follow("a", 0, until_done=True)]
    assert resumed == [1, 3], "an evicted conversation resumes from its persisted events"


async def test_a_running_turn_is_never_evicted(monkeypatch):
    monkeypatch.setattr(hub_module, "MEMORY_CONVERSATIONS", 1)
    hub = EventHub(SqliteServerStore(":memory:"))
    await hub.publish("busy", {"type": "customer_message", "text": "hi"})
    await hub.publish("busy", {"type": "token", "text": "Hel"})
    await _turn(hub, "other")
    assert "busy" in hub._logs
    assert await hub.publish("busy", {"type": "token", "text": "lo"}) == 3


async def test_a_restarted_hub_never_reuses_a_streamed_number(tmp_path):
    store = SqliteServerStore(tmp_path / "server.sqlite")
    crashed = EventHub(store)
    await crashed.publish("a", {"type": "customer_message", "text": "hi"})
    streamed = [await crashed.publish("a", {"type": "token", "text": "x"}) for _ in range(5)]
    # The process dies here: its tokens were streamed to a client but never persisted.
    restarted = EventHub(SqliteServerStore(tmp_path / "server.sqlite"))
    error = {"type": "error", "detail": "interrupted", "retryable": True}
    seq = await restarted.publish("a", error)
    assert seq > max(streamed)
    resumed = [(n, e["type"]) async for n, e in restarted.follow("a", streamed[2], True)]
    assert resumed == [(seq, "error")], "a client resuming from a token gets what came after"


async def test_a_new_lease_holder_numbers_after_the_previous_holders_reservation(tmp_path):
    path = tmp_path / "server.sqlite"
    first, second = EventHub(SqliteServerStore(path)), EventHub(SqliteServerStore(path))
    await second.publish("a", {"type": "customer_message", "text": "hi"})
    await first.catch_up("a")
    streamed = [await second.publish("a", {"type": "token", "text": "x"}) for _ in range(3)]
    first.take_over("a")
    seq = await first.publish("a", {"type": "status", "text": "resuming"})
    assert seq > max(streamed)
    first.take_over("a")
    assert await first.publish("a", {"type": "status", "text": "again"}) == seq + 1, (
        "a holder taking its own lease again keeps numbering on"
    )


async def test_kept_events_stay_within_the_byte_budget():
    budget = 64 * 1024
    hub = EventHub(SqliteServerStore(":memory:"), cache_bytes=budget)
    for n in range(200):
        await _turn(hub, f"c{n}")
        assert hub.cached_bytes <= budget
    assert 0 < len(hub._logs) < 200, "idle conversations beyond the budget left memory"
    evicted = "c0" not in hub._logs
    assert hub.cursor("c0") == 3, "followers continue from the latest event"
    first = hub_module.SEQ_BLOCK if evicted else 3  # after everything stored and reserved
    assert await _turn(hub, "c0") == [first + 1, first + 2, first + 3]


async def test_a_running_turn_over_the_budget_drops_its_oldest_events_only():
    hub = EventHub(SqliteServerStore(":memory:"), cache_bytes=16 * 1024)
    await hub.publish("long", {"type": "customer_message", "text": "hi"})
    for _ in range(500):
        await hub.publish("long", {"type": "token", "text": "x" * 40})
    assert hub.cached_bytes <= 16 * 1024
    log = hub._logs["long"]
    assert 1 <= len(log.events) < 500 and log.events[-1][0] == 501
    assert not log.idle, "the turn is still seen as running"
    batches = hub.follow_batches("long", 0, until_done=False)
    replay = await anext(batches)
    await batches.aclose()
    kept = [seq for seq, _ in log.events]
    assert [seq for seq, _ in replay] == [1, *kept], (
        "dropped events are read from the event log, then the kept ones follow"
    )


async def test_no_budget_keeps_every_event():
    hub = EventHub(SqliteServerStore(":memory:"), cache_bytes=0)
    for n in range(50):
        await _turn(hub, f"c{n}")
    assert len(hub._logs) == 50 and hub.cached_bytes > 0


async def test_trimming_frees_down_to_the_low_water_mark_so_it_runs_rarely():
    budget = 16 * 1024
    hub = EventHub(SqliteServerStore(":memory:"), cache_bytes=budget)
    await hub.publish("long", {"type": "customer_message", "text": "hi"})
    trims, previous = 0, hub.cached_bytes
    for _ in range(2000):
        await hub.publish("long", {"type": "token", "text": "x" * 40})
        if hub.cached_bytes < previous:
            trims += 1
            assert hub.cached_bytes <= budget * event_window.LOW_WATER
        previous = hub.cached_bytes
    assert 0 < trims <= 2000 * 360 / (budget * (1 - event_window.LOW_WATER)) + 1, (
        "each trim frees an eighth of the budget instead of one event"
    )
