"""Order action: carry out the action the customer has just explicitly confirmed.

The write runs under an idempotency key (`graphs.action_keys`), so a node re-executed from
its checkpoint after a crash reports the change it already made instead of making it again.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from graphs.action_keys import action_key, current_conversation_id
from graphs.audit import AuditEntry
from graphs.context import Context
from graphs.memory_notes import action_done, note_chapter
from graphs.nodes.order_tools import call_tool
from graphs.services import Services
from graphs.state import State, ToolResult

DONE_KEPT = 5
"""Consequential actions remembered for the handover note (the latest ones)."""


def order_action(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Execute the confirmed pending action exactly as it was shown to the customer."""
    pending = state.get("pending_action")
    if not pending or pending["missing"]:
        return {"notice": "nothing_to_confirm"}
    results: list[ToolResult] = []
    conversation_id = current_conversation_id()
    once = (action_key(conversation_id, pending), conversation_id)
    output = call_tool(services, results, pending["tool"], once=once, **pending["args"])
    notice = "action_done" if output is not None else "action_failed"
    if results and pending.get("payment_label"):
        results[-1]["payment_label"] = pending["payment_label"]
    _audit(state, runtime, services, conversation_id, pending, results)
    update: dict[str, Any] = {"tool_results": results, "pending_action": None, "notice": notice}
    if notice == "action_done":
        note_chapter(runtime, services, {**state, "tool_results": results}, "action_done")
        done = action_done({**state, "tool_results": results})
        if done:
            update["done_actions"] = [*(state.get("done_actions") or []), done][-DONE_KEPT:]
    return update


def _audit(
    state: State,
    runtime: Runtime[Context],
    services: Services,
    conversation_id: str | None,
    pending: Any,
    results: list[ToolResult],
) -> None:
    """Record the confirmed action, by the customer it was done for, with its outcome."""
    ok = bool(results) and results[-1]["ok"]
    customer: dict[str, Any] = dict(state.get("customer") or {})
    tool, args = pending["tool"], pending["args"]
    detail: dict[str, Any] = {"args": args}
    if not ok and results:
        detail["error"] = str(results[-1]["output"])
    services.audit.append(
        AuditEntry(
            actor=str(customer.get("user_id") or runtime.context.customer_id or "unknown"),
            role="customer",
            action=f"order.{tool}",
            conversation_id=conversation_id,
            outcome="ok" if ok else "failed",
            detail=detail,
        )
    )
