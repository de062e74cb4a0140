"""Dashboard metrics computed from the server's store: volume, containment, handoffs, SLAs.

Reads the queue database through its own read-only SQLite connection, so a dashboard
query never holds the lock that live turns write through. Times are epoch seconds (UTC);
series are bucketed by hour for ranges up to two days and by day beyond.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOUR = 3600
DAY = 24 * HOUR
MAX_SENTIMENT_MESSAGES = 2000
"""Customer messages scored for the sentiment trend per query (the most recent ones)."""


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


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection | None]:
    if not path.exists():
        yield None
        return
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _durations(
    rows: list[sqlite3.Row], end_column: str, sla: float, window: Window
) -> dict[str, Any]:
    """Median, p90 and share within the SLA of `end_column - created_at` over handoffs."""
    values = [row[end_column] - row["created_at"] for row in rows if row[end_column] is not None]
    per_bucket: dict[float, list[float]] = defaultdict(list)
    for row in rows:
        if row[end_column] is not None:
            per_bucket[window.bucket_of(row["created_at"])].append(
                row[end_column] - row["created_at"]
            )
    return {
        "sla_seconds": sla,
        "count": len(values),
        "median_seconds": percentile(values, 0.5),
        "p90_seconds": percentile(values, 0.9),
        "within_sla_rate": _rate(sum(1 for v in values if v <= sla), len(values)),
        "series": [
            {"t": t, "median_seconds": percentile(per_bucket.get(t, []), 0.5)}
            for t in window.buckets()
        ],
    }


def dashboard_metrics(
    queue_db: Path,
    window: Window,
    first_response_sla: float,
    resolution_sla: float,
    score_sentiment: Callable[[str], float],
) -> dict[str, Any]:
    """Every dashboard figure for `window`."""
    with _read_only(queue_db) as conn:
        events = (
            conn.execute(
                "SELECT conversation_id, seq, type, created_at, payload FROM events"
                " WHERE created_at >= ? AND created_at < ?"
                " AND type IN ('customer_message', 'done', 'error')"
                " ORDER BY conversation_id, seq",
                (window.start, window.end),
            ).fetchall()
            if conn
            else []
        )
        handoffs = (
            conn.execute(
                "SELECT * FROM handoffs WHERE created_at >= ? AND created_at < ?",
                (window.start, window.end),
            ).fetchall()
            if conn
            else []
        )
        waiting_now = (
            conn.execute("SELECT COUNT(*) FROM handoffs WHERE status = 'waiting'").fetchone()[0]
            if conn
            else 0
        )
    buckets = window.buckets()
    messages: list[sqlite3.Row] = [e for e in events if e["type"] == "customer_message"]
    first_message: dict[str, float] = {}
    for event in messages:
        first_message.setdefault(event["conversation_id"], event["created_at"])
    handed_off = {row["conversation_id"] for row in handoffs}
    conversations = len(first_message)
    contained = sum(1 for cid in first_message if cid not in handed_off)
    volume: dict[float, Counter[str]] = defaultdict(Counter)
    for started in first_message.values():
        volume[window.bucket_of(started)]["conversations"] += 1
    for event in messages:
        volume[window.bucket_of(event["created_at"])]["messages"] += 1
    for row in handoffs:
        volume[window.bucket_of(row["created_at"])]["handoffs"] += 1
    return {
        "start": window.start,
        "end": window.end,
        "bucket_seconds": window.bucket,
        "volume": [
            {
                "t": t,
                "conversations": volume[t]["conversations"],
                "messages": volume[t]["messages"],
                "handoffs": volume[t]["handoffs"],
            }
            for t in buckets
        ],
        "totals": {
            "conversations": conversations,
            "messages": len(messages),
            "handed_off": len(handed_off),
            "contained": contained,
            "containment_rate": _rate(contained, conversations),
            "handoff_rate": _rate(len(handed_off & set(first_message)), conversations),
            "waiting_now": waiting_now,
        },
        "handoff_reasons": [
            {"reason": reason or "unknown", "count": count}
            for reason, count in Counter(row["reason"] for row in handoffs).most_common()
        ],
        "sentiment": _sentiment_series(messages, window, score_sentiment),
        "first_response": _durations(handoffs, "first_response_at", first_response_sla, window),
        "resolution": _durations(handoffs, "resolved_at", resolution_sla, window),
        "turn_latency": _turn_latency(events, window),
    }


def _sentiment_series(
    messages: list[sqlite3.Row], window: Window, score: Callable[[str], float]
) -> dict[str, Any]:
    scored: dict[float, list[float]] = defaultdict(list)
    recent = sorted(messages, key=lambda e: e["created_at"])[-MAX_SENTIMENT_MESSAGES:]
    for event in recent:
        text = str(json.loads(event["payload"]).get("text") or "")
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
                "negative_share": _rate(
                    sum(1 for v in scored.get(t, []) if v <= -0.05), len(scored.get(t, []))
                ),
                "messages": len(scored.get(t, [])),
            }
            for t in window.buckets()
        ],
    }


def _turn_latency(events: list[sqlite3.Row], window: Window) -> dict[str, Any]:
    """Customer message to the turn's `done`/`error`, in milliseconds."""
    latencies: list[tuple[float, float]] = []
    pending: dict[str, float] = {}
    for event in events:
        cid = event["conversation_id"]
        if event["type"] == "customer_message":
            pending[cid] = event["created_at"]
        elif cid in pending:
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
