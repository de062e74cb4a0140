"""Per-agent performance and the CSAT summary of the manager dashboard."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from server.metrics_stats import median, rate


def csat_summary(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """Responses, average score (1-5), the share of 4s and 5s, and the count per score."""
    scores = [int(answer["score"]) for answer in answers]
    return {
        "responses": len(scores),
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "satisfied_rate": rate(sum(1 for s in scores if s >= 4), len(scores)),
        "distribution": [{"score": n, "count": scores.count(n)} for n in range(1, 6)],
    }


def agent_performance(
    handoffs: list[dict[str, Any]], answers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per agent who claimed a handoff in the range, busiest first.

    `handled`: handoffs they resolved or returned; `first_response_seconds` and
    `handle_seconds`: medians from their claim to the first answer and to the close;
    `csat`: the average rating of their conversations.
    """
    scores = {answer["conversation_id"]: int(answer["score"]) for answer in answers}
    claimed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in handoffs:
        if entry.get("claimed_by"):
            claimed[str(entry["claimed_by"])].append(entry)
    rows = []
    for agent, entries in claimed.items():
        closed = [e for e in entries if e["status"] in ("resolved", "returned")]
        responses = [
            e["first_response_at"] - e["claimed_at"]
            for e in entries
            if e.get("first_response_at") is not None and e.get("claimed_at") is not None
        ]
        handle = [
            e["resolved_at"] - e["claimed_at"]
            for e in closed
            if e.get("resolved_at") is not None and e.get("claimed_at") is not None
        ]
        rated = [scores[e["conversation_id"]] for e in entries if e["conversation_id"] in scores]
        rows.append(
            {
                "agent": agent,
                "claimed": len(entries),
                "handled": len(closed),
                "resolved": sum(1 for e in closed if e["status"] == "resolved"),
                "first_response_seconds": median(responses),
                "handle_seconds": median(handle),
                "csat": round(sum(rated) / len(rated), 2) if rated else None,
                "csat_responses": len(rated),
            }
        )
    return sorted(rows, key=lambda row: (-row["handled"], row["agent"]))
