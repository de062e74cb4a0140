"""SLA state of queue entries: ok, at risk, breached, met."""

from __future__ import annotations

import time

from server.routes.queue import queue_entry


def _row(waited: float, responded_after: float | None = None) -> dict:
    created = time.time() - waited
    return {
        "conversation_id": "c", "status": "waiting", "reason": "explicit_request",
        "intent": None, "sentiment_label": None, "sentiment_score": None, "summary": None,
        "suggested_reply": None, "customer_id": None, "channel": None, "last_message": None,
        "created_at": created, "claimed_by": None, "claimed_at": None,
        "first_response_at": created + responded_after if responded_after is not None else None,
        "resolved_at": None,
    }  # fmt: skip


def test_sla_states_follow_the_first_response_deadline():
    assert queue_entry(_row(10), sla_seconds=300).sla_state == "ok"
    assert queue_entry(_row(270), sla_seconds=300).sla_state == "at_risk"
    assert queue_entry(_row(400), sla_seconds=300).sla_state == "breached"
    assert queue_entry(_row(400, responded_after=100), sla_seconds=300).sla_state == "met"
    late = queue_entry(_row(900, responded_after=350), sla_seconds=300)
    assert late.sla_state == "breached" and abs(late.waiting_seconds - 350) < 1
