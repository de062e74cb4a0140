"""The facts a drafter may use for this turn, as one JSON-ready dict."""

from __future__ import annotations

from typing import Any

from graphs.state import State


def turn_facts(state: State) -> dict[str, Any]:
    """Collect the customer, tool results, passages and pending action of this turn."""
    customer = state.get("customer")
    return {
        "customer": dict(customer) if customer else None,
        "intent": state.get("intent"),
        "active_order_id": state.get("active_order_id"),
        "tool_results": [
            {"tool": r["tool"], "args": r["args"], "ok": r["ok"], "output": r["output"]}
            for r in state.get("tool_results") or []
        ],
        "help_centre_passages": [
            {"title": p["title"], "source": p["source"], "text": p["text"][:1500]}
            for p in state.get("passages") or []
        ],
        "pending_action": state.get("pending_action"),
    }
