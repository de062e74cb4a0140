"""A day of support written into a server store at chosen times, and its figures by hand.

Nine conversations cover every outcome the dashboard tells apart. `seed` writes them through
the store's own methods with its clock set to each moment, so the store under test stamps
the times (SQLite and DynamoDB alike); `EXPECTED` holds the figures worked out by hand
below, relative to T0 and NOW (= T0 + 1941 s).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import conversations.store_dynamodb as store_dynamodb
import conversations.store_dynamodb_analytics as store_dynamodb_analytics
import conversations.store_sqlite as store_sqlite
import conversations.store_sqlite_analytics as store_sqlite_analytics
from conversations.store import ServerStore

NOW_OFFSET = 1941.0
"""Seconds from T0 to the moment the dashboard is read."""
FIRST_RESPONSE_SLA = 300
RESOLUTION_SLA = 250

_CLOCKED = (store_sqlite, store_sqlite_analytics, store_dynamodb, store_dynamodb_analytics)


@contextmanager
def store_clock(start: float) -> Iterator[Callable[[float], None]]:
    """Make the stores read the time from a settable clock; yields `set(t)`."""
    now = [start]
    fake = types.SimpleNamespace(time=lambda: now[0])
    saved = [module.time for module in _CLOCKED]
    for module in _CLOCKED:
        module.time = fake  # type: ignore[assignment]
    try:
        yield lambda t: now.__setitem__(0, t)
    finally:
        for module, original in zip(_CLOCKED, saved, strict=True):
            module.time = original  # type: ignore[assignment]


def _done(reply: str, status: str = "none", intent: str | None = None, **more: Any) -> dict:
    return {
        "type": "done",
        "conversation_id": "",
        "reply": reply,
        "waiting_for_human": status in ("waiting", "human"),
        "handoff_status": status,
        "planner": more.get("planner", "rules"),
        "usage": None,
        "intent": intent,
    }


def _handoff(reason: str) -> dict:
    return {"type": "handoff", "payload": {"type": "handoff", "reason": reason}}


def _msg(text: str) -> dict:
    return {"type": "customer_message", "text": text}


# (offset from T0, conversation, action, argument)
SCRIPT: list[tuple[float, str, str, Any]] = [
    # c1 contained: two answered questions, rated 5
    (0, "c1", "event", _msg("Where is my order #W1?")),
    (2, "c1", "event", _done("It shipped yesterday.", intent="track_order")),
    (60, "c1", "event", _msg("thanks")),
    (61, "c1", "event", _done("You're welcome!", intent="thanks")),
    (70, "c1", "csat", 5),
    # c2 abandoned: never identified (no customer on the conversation)
    (100, "c2", "event", _msg("cancel my order")),
    (101, "c2", "event", _done("What is your email?", intent="cancel_order")),
    # c3 abandoned: the turn failed, the customer's message is unanswered
    (200, "c3", "event", _msg("hello?")),
    (230, "c3", "event", {"type": "error", "detail": "boom", "retryable": True}),
    # c4 contained, but a fallback reply
    (300, "c4", "event", _msg("what's the weather")),
    (301, "c4", "event", _done("I can help with orders.", intent="out_of_scope")),
    # c5 handed off, claimed by dana, answered after 44.6 s, resolved, rated 2, reopened
    (400, "c5", "event", _msg("I want a human")),
    (401, "c5", "handoff", "explicit_request"),
    (402, "c5", "event", _done("Connecting you.", "waiting", "human_agent")),
    (430, "c5", "claim", "dana"),
    (445.6, "c5", "respond", "On it."),
    (600, "c5", "resolve", None),
    (650, "c5", "csat", 2),
    (700, "c5", "event", _msg("it still did not arrive")),
    (701, "c5", "event", _done("Let me check.", intent="delivery_problem")),
    # c6 handed off, claimed by dana, returned to the bot without an answer
    (800, "c6", "event", _msg("this is a disgrace")),
    (801, "c6", "handoff", "complaint"),
    (802, "c6", "event", _done("A person will help.", "waiting", "complaint")),
    (810, "c6", "claim", "dana"),
    (900, "c6", "return", None),
    (950, "c6", "event", _msg("so where is my refund?")),
    (951, "c6", "event", _done("It is on its way.", "returned", "track_refund")),
    # c7 handed off, claimed by lee, answered after 158 s, resolved after 299 s, rated 4
    (1000, "c7", "event", _msg("human please")),
    (1001, "c7", "handoff", "explicit_request"),
    (1002, "c7", "event", _done("Connecting you.", "waiting", "human_agent")),
    (1010, "c7", "claim", "lee"),
    (1159, "c7", "respond", "Hello!"),
    (1300, "c7", "resolve", None),
    (1310, "c7", "csat", 4),
    # c8 claimed by lee and never answered: 540 s at NOW, past the 300 s SLA
    (1400, "c8", "event", _msg("agent")),
    (1401, "c8", "handoff", "explicit_request"),
    (1402, "c8", "event", _done("Connecting you.", "waiting", "human_agent")),
    (1402, "c8", "claim", "lee"),
    # c9 waiting, unclaimed, 40.5 s at NOW: within the SLA, not decided yet
    (1900, "c9", "event", _msg("I am upset")),
    (1900.5, "c9", "handoff", "sentiment"),
    (1901, "c9", "event", _done("A person will help.", "waiting", "complaint")),
]
CUSTOMERS = {"c2": None}
"""Every conversation has a signed-in customer except c2."""


def seed(store: ServerStore, t0: float) -> None:
    """Write the script into `store`, each step at T0 + its offset."""
    seqs: dict[str, int] = {}

    def event(cid: str, value: dict[str, Any]) -> None:
        seqs[cid] = seqs.get(cid, 0) + 1
        store.append_event(cid, seqs[cid], value)

    with store_clock(t0) as set_clock:
        for n in range(1, 10):
            cid = f"c{n}"
            store.create_conversation(cid, CUSTOMERS.get(cid, f"customer_{n}"), "web")
        for offset, cid, action, argument in SCRIPT:
            set_clock(t0 + offset)
            if action == "event":
                event(cid, dict(argument))
            elif action == "handoff":
                event(cid, _handoff(argument))
                store.upsert_handoff(cid, {"reason": argument, "channel": "web"}, cid)
            elif action == "claim":
                assert store.claim(cid, argument)
            elif action == "respond":
                event(cid, {"type": "agent_message", "agent": "agent", "text": argument})
                store.record_response(cid)
            elif action in ("resolve", "return"):
                status = "resolved" if action == "resolve" else "returned"
                event(cid, _done("", status))
                store.close_handoff(cid, status)
            elif action == "csat":
                store.record_csat(cid, argument, CUSTOMERS.get(cid, cid))


EXPECTED_TOTALS = {
    "conversations": 9,
    "messages": 12,  # c1 2, c5 2, c6 2, the other six 1 each
    "contained": 2,  # c1, c4
    "abandoned": 2,  # c2 (unidentified), c3 (unanswered)
    "handed_off": 5,  # c5-c9
    "containment_rate": 0.2222,  # 2 / 9
    "handoff_rate": 0.5556,  # 5 / 9
    "handoffs": 5,
    "resolved_by_person": 2,  # c5, c7
    "returned_to_bot": 1,  # c6: not resolved
    "waiting_now": 2,  # c8 claimed and unanswered, c9 unclaimed
    "unclaimed_now": 1,
    "claimed_unanswered_now": 1,
    "fcr_rate": 0.75,  # resolved: c1, c4, c5, c7; c5 reopened -> 3 / 4
    "reopen_rate": 0.5,  # resolved by a person: c5, c7; c5 reopened -> 1 / 2
    "bot_replies": 6,  # c1 2, c2 1, c4 1, c5 after the reopen 1, c6 after the return 1
    "fallback_rate": 0.1667,  # c4's out-of-scope reply, 1 / 6
}
EXPECTED_FIRST_RESPONSE = {
    "count": 2,  # c5 44.6 s, c7 158 s; c6 returned unanswered; c8, c9 open
    "open": 2,
    "open_past_sla": 1,  # c8, 540 s
    "median_seconds": 101.3,  # (44.6 + 158) / 2
    "p90_seconds": 158.0,
    "within_sla_rate": 0.6667,  # 2 answered within 300 s / (2 answered + 1 overdue)
}
EXPECTED_RESOLUTION = {
    "count": 2,  # c5 199 s, c7 299 s
    "open": 2,
    "open_past_sla": 1,  # c8 540 s > 250 s; c9 40.5 s
    "median_seconds": 249.0,
    "within_sla_rate": 0.3333,  # c5 only / (2 resolved + 1 overdue)
}
EXPECTED_CSAT = {"responses": 3, "average": 3.67, "satisfied_rate": 0.6667}  # 5, 2, 4
EXPECTED_AGENTS = [
    # dana: c5 (claim 430, answer 445.6, resolved 600), c6 (claim 810, returned 900)
    {
        "agent": "dana",
        "claimed": 2,
        "handled": 2,
        "resolved": 1,
        "first_response_seconds": 15.6,
        "handle_seconds": 130.0,  # (170 + 90) / 2
        "csat": 2.0,
        "csat_responses": 1,
    },
    # lee: c7 (claim 1010, answer 1159, resolved 1300), c8 (claim 1402, open)
    {
        "agent": "lee",
        "claimed": 2,
        "handled": 1,
        "resolved": 1,
        "first_response_seconds": 149.0,
        "handle_seconds": 290.0,
        "csat": 4.0,
        "csat_responses": 1,
    },
]
EXPECTED_REASONS = [
    {"reason": "explicit_request", "count": 3},
    {"reason": "complaint", "count": 1},
    {"reason": "sentiment", "count": 1},
]
EXPECTED_OUTCOMES = {
    "c1": "contained",
    "c2": "abandoned",
    "c3": "abandoned",
    "c4": "contained",
    **{f"c{n}": "handed_off" for n in range(5, 10)},
}
