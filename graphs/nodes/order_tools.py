"""Order tools: look orders up and prepare consequential actions for confirmation.

Nothing here changes an order. Actions become a `pending_action` that the customer must
confirm in the next turn; `order_action` executes it.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from graphs.agent.policy import describe_dry_run
from graphs.context import Context
from graphs.events import emit_tool, order_card
from graphs.intents import action_of
from graphs.messages import last_customer_message, message_text
from graphs.order_proposals import propose
from graphs.services import Services
from graphs.state import PendingAction, State, ToolResult
from tools.orders.store import OrderToolError


def call_tool(
    services: Services,
    results: list[ToolResult],
    tool: str,
    once: tuple[str, str] | None = None,
    **args: Any,
) -> Any:
    """Call an order-store method, stream its start/end and record the result.

    With `once` (an idempotency key and the conversation), a write tool runs at most once
    per key: a repeated call returns the result recorded the first time.
    """
    label = args.get("order_id") or args.get("user_id") or args.get("product_id") or ""
    emit_tool(tool, "start", f"{tool.replace('_', ' ')} {label}".strip())
    try:
        if once is None:
            output = getattr(services.orders, tool)(**args)
        else:
            output, _ = services.orders.apply_once(once[0], tool, args, scope=once[1])
    except OrderToolError as error:
        results.append({"tool": tool, "args": args, "ok": False, "output": str(error)})
        emit_tool(tool, "end", str(error), ok=False)
        return None
    results.append({"tool": tool, "args": args, "ok": True, "output": output})
    summary = f"{tool.replace('_', ' ')} {label}".strip()
    emit_tool(tool, "end", summary, order=order_card(output))
    return output


def order_tools(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Serve an order question or prepare an order action."""
    results: list[ToolResult] = []
    customer = state.get("customer")
    if not customer:
        return {"notice": state.get("notice") or "ask_identity", "tool_results": results}
    message = last_customer_message(state.get("messages", []))
    text = message_text(message) if message else ""
    entities = dict(state.get("entities") or {})
    if state.get("offered_address"):
        # The guard took the address out of the text; the tools still get it.
        entities["address"] = state["offered_address"]
    pending = state.get("pending_action")
    intent = state.get("intent") or ""
    action = action_of(services.catalogue, intent) if not pending else pending["action"]

    if action == "modify_user_address":
        user = call_tool(services, results, "get_user_details", user_id=customer["user_id"])
        user = {**(user or {}), "user_id": customer["user_id"]}
        proposal = propose(action, None, user, text, entities, services)
        return _with_proposal(proposal, results, services, customer["user_id"])

    order_id = (pending["args"].get("order_id") if pending else None) or state.get(
        "active_order_id"
    )
    if not order_id:
        call_tool(services, results, "list_user_orders", user_id=customer["user_id"])
        return {"notice": "choose_order", "tool_results": results}
    order = call_tool(services, results, "get_order_details", order_id=order_id)
    if order is None:
        return {"notice": "order_not_found", "tool_results": results, "active_order_id": None}
    if order.get("user_id") != customer["user_id"]:
        results[-1] = {
            "tool": "get_order_details",
            "args": {"order_id": order_id},
            "ok": False,
            "output": "Order not found",
        }
        return {"notice": "order_not_found", "tool_results": results, "active_order_id": None}
    if not action:
        return {"notice": "order_facts", "tool_results": results}

    user = call_tool(services, results, "get_user_details", user_id=customer["user_id"])
    proposal = propose(action, order, user, text, entities, services, results, pending)
    return _with_proposal(proposal, results, services, customer["user_id"])


def _with_proposal(
    proposal: dict[str, Any], results: list[ToolResult], services: Services, user_id: str
) -> dict[str, Any]:
    update: dict[str, Any] = {"tool_results": results, "notice": proposal["notice"]}
    pending: PendingAction | None = proposal.get("pending")
    if pending is not None and not pending["missing"]:
        pending["summary"] = _in_words(services, pending, user_id)
    update["pending_action"] = pending
    if proposal.get("handoff_reason"):
        update["route"] = "handoff"
        update["handoff"] = {"status": "none", "reason": proposal["handoff_reason"]}
    return update


def _in_words(services: Services, pending: PendingAction, user_id: str) -> str:
    """The action in words, from a dry run on copies of the records.

    Each changed item by name with its old → new options, addresses old → new, the price
    difference and who pays or is refunded.

    Falls back to the proposal's own summary when the dry run cannot describe it.
    """
    try:
        summary, _ = describe_dry_run(services.orders, pending["tool"], pending["args"], user_id)
    except (OrderToolError, LookupError, TypeError, ValueError, AttributeError):
        return pending["summary"]
    return summary
