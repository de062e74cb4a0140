"""Dashboard metrics from any server store: volume, outcomes, SLAs, CSAT, FCR, per agent.

The store answers three range reads (events, queue entries opened, satisfaction answers) and
the open queue; everything else is computed here, the same way for SQLite and DynamoDB.
Times are epoch seconds (UTC); series are bucketed by hour for ranges up to two days and by
day beyond. Each figure is defined in `DEFINITIONS` (shown by the dashboard and the README).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conversations.store import QUEUE_OPEN, ServerStore
from server.metrics_agents import agent_performance, csat_summary
from server.metrics_facts import FACT_EVENT_TYPES, OUTCOMES, ConversationFacts, conversation_facts
from server.metrics_stats import median, percentile, rate

HOUR = 3600
DAY = 24 * HOUR
MAX_SENTIMENT_MESSAGES = 2000
"""Customer messages scored for the sentiment trend per query (the most recent ones)."""

DEFINITIONS: dict[str, str] = {
    "conversations": "Conversations whose customer wrote at least once in the range.",
    "contained": "Never handed to a person, the bot answered the customer's last message, and "
    "the customer was identified (signed in or identified in the chat).",
    "abandoned": "Neither handed off nor contained: the customer left with a message "
    "unanswered or without being identified.",
    "containment_rate": "Contained conversations divided by all conversations.",
    "handoff_rate": "Conversations handed to a person divided by all conversations.",
    "waiting_now": "Handoffs still waiting for a person's first answer right now: unclaimed, "
    "or claimed and not answered yet (whatever the range).",
    "first_response": "From the handoff to a person's first answer. Median interpolated "
    "between the two middle values; p90 nearest-rank. Within SLA: answered within the SLA, "
    "over answered handoffs plus unanswered ones already past it.",
    "resolution": "From the handoff to a person resolving it. Returned to the bot is not "
    "resolved. Within SLA: resolved within the SLA, over resolved handoffs plus open ones "
    "already past it.",
    "returned_to_bot": "Handoffs a person gave back to the bot (not counted as resolved).",
    "fcr_rate": "First-contact resolution: resolved conversations (contained, or resolved by "
    "a person) with at most one handoff and no reopen, divided by resolved conversations.",
    "reopen_rate": "Conversations resolved by a person in which the customer wrote again "
    "afterwards, divided by conversations resolved by a person.",
    "csat": "Average one-tap rating (1-5) given after a resolution; CSAT % is the share of "
    "4 and 5 ratings.",
    "fallback_rate": "Bot replies where the bot could not place the request (out of scope) "
    "or the model failed and the rules answered, divided by bot replies.",
    "intents": "The customer's intent behind each bot reply.",
    "agents": "Per agent over the handoffs they claimed: handled (resolved or returned), "
    "median first response and handle time from their claim, and their CSAT.",
    "turn_latency": "Customer message to the end of the bot's turn (p50/p95, nearest-rank).",
}


@dataclass(frozen=True)
class Window:
    """A half-open time range [start, end) and its bucket size in seconds."""

    start: float
    end: float

    @property
    def bucket(self) -> int:
        """Hourly buckets up to two days, daily beyond."""
        return HOUR if self.end - self.start <= 2 * DAY else DAY

    def buckets(self) -> list[float]:
        """Every bucket start in the range."""
        first = math.floor(self.start / self.bucket) * self.bucket
        return [float(t) for t in range(int(first), int(self.end), self.bucket)]

    def bucket_of(self, timestamp: float) -> float:
        """The start of the bucket `timestamp` falls in."""
        return float(math.floor(timestamp / self.bucket) * self.bucket)


def _durations(
    entries: list[dict[str, Any]], end_column: str, sla: float, window: Window, now: float
) -> dict[str, Any]:
    """Times from the handoff to `end_column`, counting entries still open past the SLA."""
    done = [e for e in entries if e.get(end_column) is not None]
    values = [e[end_column] - e["created_at"] for e in done]
    open_entries = [e for e in entries if e.get(end_column) is None and e["status"] in QUEUE_OPEN]
    overdue = sum(1 for e in open_entries if now - e["created_at"] > sla)
    per_bucket: dict[float, list[float]] = defaultdict(list)
    for entry, value in zip(done, values, strict=True):
        per_bucket[window.bucket_of(entry["created_at"])].append(value)
    return {
        "sla_seconds": sla,
        "count": len(values),
        "open": len(open_entries),
        "open_past_sla": overdue,
        "median_seconds": median(values),
        "p90_seconds": percentile(values, 0.9),
        "within_sla_rate": rate(sum(1 for v in values if v <= sla), len(values) + overdue),
        "series": [
            {"t": t, "median_seconds": median(per_bucket.get(t, []))} for t in window.buckets()
        ],
    }


def dashboard_metrics(
    store: ServerStore,
    window: Window,
    first_response_sla: float,
    resolution_sla: float,
    score_sentiment: Callable[[str], float],
    now: float,
) -> dict[str, Any]:
    """Every dashboard figure for `window`, with the open queue as of `now`."""
    events = store.events_between(window.start, window.end, FACT_EVENT_TYPES)
    handoffs = store.handoffs_between(window.start, window.end)
    csat = store.csat_between(window.start, window.end)
    open_queue = store.list_handoffs(QUEUE_OPEN)
    facts = conversation_facts(events, handoffs, csat)
    resolved = [entry for entry in handoffs if entry["status"] == "resolved"]
    # Returning to the bot stamps the first response when none was given; only a person's
    # answer (or resolution) counts as one.
    responded = [
        {**entry, "first_response_at": None}
        if entry["status"] == "returned"
        and entry.get("first_response_at") == entry.get("resolved_at")
        else entry
        for entry in handoffs
    ]
    return {
        "start": window.start,
        "end": window.end,
        "bucket_seconds": window.bucket,
        "definitions": DEFINITIONS,
        "volume": _volume(events, facts, handoffs, window),
        "totals": _totals(facts, handoffs, open_queue),
        "handoff_reasons": [
            {"reason": reason or "unknown", "count": count}
            for reason, count in Counter(e.get("reason") for e in handoffs).most_common()
        ],
        "intents": [
            {"intent": intent, "count": count}
            for intent, count in Counter(i for f in facts for i in f.intents).most_common()
        ],
        "sentiment": _sentiment_series(events, window, score_sentiment),
        "first_response": _durations(
            responded, "first_response_at", first_response_sla, window, now
        ),
        "resolution": _durations(
            resolved + _still_open(handoffs), "resolved_at", resolution_sla, window, now
        ),
        "csat": csat_summary(csat),
        "agents": agent_performance(responded, csat),
        "turn_latency": _turn_latency(events, window),
    }


def _still_open(handoffs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in handoffs if entry["status"] in QUEUE_OPEN]


def _totals(
    facts: list[ConversationFacts],
    handoffs: list[dict[str, Any]],
    open_queue: list[dict[str, Any]],
) -> dict[str, Any]:
    outcomes = Counter(f.outcome for f in facts)
    conversations = len(facts)
    resolved = [f for f in facts if f.resolved]
    by_person = [f for f in facts if f.resolved_by_person]
    bot_turns = sum(f.bot_turns for f in facts)
    unanswered = [e for e in open_queue if e.get("first_response_at") is None]
    return {
        "conversations": conversations,
        "messages": sum(f.messages for f in facts),
        **{outcome: outcomes[outcome] for outcome in OUTCOMES},
        "containment_rate": rate(outcomes["contained"], conversations),
        "handoff_rate": rate(outcomes["handed_off"], conversations),
        "handoffs": len(handoffs),
        "resolved_by_person": sum(1 for e in handoffs if e["status"] == "resolved"),
        "returned_to_bot": sum(1 for e in handoffs if e["status"] == "returned"),
        "waiting_now": len(unanswered),
        "unclaimed_now": sum(1 for e in unanswered if e["status"] == "waiting"),
        "claimed_unanswered_now": sum(1 for e in unanswered if e["status"] == "claimed"),
        "fcr_rate": rate(sum(1 for f in resolved if f.first_contact_resolved), len(resolved)),
        "reopen_rate": rate(sum(1 for f in by_person if f.reopened), len(by_person)),
        "bot_replies": bot_turns,
        "fallback_rate": rate(sum(f.fallback_turns for f in facts), bot_turns),
    }


def _volume(
    events: list[dict[str, Any]],
    facts: list[ConversationFacts],
    handoffs: list[dict[str, Any]],
    window: Window,
) -> list[dict[str, Any]]:
    volume: dict[float, Counter[str]] = defaultdict(Counter)
    for conversation in facts:
        volume[window.bucket_of(conversation.started_at)]["conversations"] += 1
    for event in events:
        if event["type"] == "customer_message":
            volume[window.bucket_of(event["created_at"])]["messages"] += 1
    for entry in handoffs:
        volume[window.bucket_of(entry["created_at"])]["handoffs"] += 1
    return [
        {
            "t": t,
            "end": t + window.bucket,
            "conversations": volume[t]["conversations"],
            "messages": volume[t]["messages"],
            "handoffs": volume[t]["handoffs"],
        }
        for t in window.buckets()
    ]


def _sentiment_series(
    events: list[dict[str, Any]], window: Window, score: Callable[[str], float]
) -> dict[str, Any]:
    messages = [e for e in events if e["type"] == "customer_message"]
    scored: dict[float, list[float]] = defaultdict(list)
    recent = sorted(messages, key=lambda e: e["created_at"])[-MAX_SENTIMENT_MESSAGES:]
    for event in recent:
        text = str(event["event"].get("text") or "")
        if text:
            scored[window.bucket_of(event["created_at"])].append(score(text))
    every = [value for values in scored.values() for value in values]
    return {
        "scored_messages": len(every),
        "average": round(sum(every) / len(every), 4) if every else None,
        "series": [
            {
                "t": t,
                "average": round(sum(scored[t]) / len(scored[t]), 4) if scored.get(t) else None,
                "negative_share": rate(
                    sum(1 for v in scored.get(t, []) if v <= -0.05), len(scored.get(t, []))
                ),
                "messages": len(scored.get(t, [])),
            }
            for t in window.buckets()
        ],
    }


def _turn_latency(events: list[dict[str, Any]], window: Window) -> dict[str, Any]:
    """Customer message to the turn's `done`/`error`, in milliseconds."""
    latencies: list[tuple[float, float]] = []
    pending: dict[str, float] = {}
    for event in events:
        cid = event["conversation_id"]
        if event["type"] == "customer_message":
            pending[cid] = event["created_at"]
        elif event["type"] in ("done", "error") and cid in pending:
            started = pending.pop(cid)
            latencies.append((started, (event["created_at"] - started) * 1000))
    per_bucket: dict[float, list[float]] = defaultdict(list)
    for started, millis in latencies:
        per_bucket[window.bucket_of(started)].append(millis)
    values = [millis for _, millis in latencies]
    p95 = percentile(values, 0.95)
    p50 = percentile(values, 0.5)
    return {
        "turns": len(values),
        "p50_ms": round(p50, 1) if p50 is not None else None,
        "p95_ms": round(p95, 1) if p95 is not None else None,
        "series": [
            {
                "t": t,
                "p95_ms": round(v, 1) if (v := percentile(per_bucket.get(t, []), 0.95)) else None,
                "turns": len(per_bucket.get(t, [])),
            }
            for t in window.buckets()
        ],
    }


def drill_down(
    store: ServerStore, window: Window, outcome: str | None, bucket: float | None
) -> list[dict[str, Any]]:
    """The conversations behind a figure, oldest first.

    Those the customer wrote in during the range (only those started in the bucket starting
    at `bucket`, and with `outcome`, when given).
    """
    facts = conversation_facts(
        store.events_between(window.start, window.end, FACT_EVENT_TYPES),
        store.handoffs_between(window.start, window.end),
        store.csat_between(window.start, window.end),
    )
    rows = []
    for conversation in facts:
        if outcome and conversation.outcome != outcome:
            continue
        if bucket is not None and window.bucket_of(conversation.started_at) != bucket:
            continue
        rows.append(conversation.row())
    return rows
