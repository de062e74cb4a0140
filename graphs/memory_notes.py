"""What the support graph remembers about customers across conversations, and reads back.

Nodes call these helpers with their `Runtime`; `runtime.store` is the long-term store the
graph was compiled with (`memory.long_term.CustomerMemory` spells its namespaces, one set
per tenant). A run compiled without a store (evaluations, unit tests) reads and writes
nothing. Two moments are written:

- the turn a customer is first identified in a conversation: their profile (user id, name,
  email from the order store, how they were verified, when they were last seen);
- the end of a chapter of the conversation (handed to a person, an order action done,
  resolved by an agent): a one-line summary of the conversation, keyed by its id, so a
  later chapter replaces an earlier one.

Writes are idempotent: a summary identical to the stored one is not written again (the
handoff node runs again from its start when an agent resumes it).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from langgraph.config import get_config
from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.messages import last_customer_message, message_text
from graphs.services import Services
from graphs.state import Customer, CustomerHistory, State
from memory.long_term import CustomerMemory
from tools.orders.store import OrderToolError

Outcome = Literal["handed_off", "action_done", "resolved"]

_SUMMARY_CHARS = 200

_ACTIONS = {
    "cancel_pending_order": "cancelled order {order_id}",
    "return_delivered_order_items": "requested a return for order {order_id}",
    "exchange_delivered_order_items": "requested an exchange for order {order_id}",
    "modify_pending_order_address": "changed the shipping address of order {order_id}",
    "modify_pending_order_payment": "changed the payment method of order {order_id}",
    "modify_pending_order_items": "changed the items of order {order_id}",
    "modify_user_address": "updated their default address",
}


def customer_memory(runtime: Runtime[Context], services: Services) -> CustomerMemory | None:
    """The run's tenant's view of the long-term memory, or None when the run has no store."""
    if runtime.store is None:
        return None
    return CustomerMemory(runtime.store, services.tenant(runtime.context))


def conversation_id(runtime: Runtime[Context]) -> str | None:
    """The id of the conversation (the run's thread) this node runs for."""
    info = runtime.execution_info
    if info is not None and info.thread_id:
        return info.thread_id
    try:
        configurable = get_config().get("configurable") or {}
    except RuntimeError:
        return None
    thread_id = configurable.get("thread_id")
    return str(thread_id) if thread_id else None


def newly_identified(state: State, customer: Customer | None) -> bool:
    """Whether `customer` is identified on this turn (not already known to the conversation)."""
    if customer is None:
        return False
    known = state.get("customer")
    return known is None or known["user_id"] != customer["user_id"]


def note_identified(
    runtime: Runtime[Context], services: Services, customer: Customer
) -> CustomerHistory | None:
    """Save the customer's profile; return what is remembered of their other conversations."""
    memory = customer_memory(runtime, services)
    if memory is None:
        return None
    user_id = customer["user_id"]
    profile: dict[str, Any] = {
        **memory.profile(user_id),
        "user_id": user_id,
        "name": customer["name"],
        "verified_by": customer["verified_by"],
        "last_seen": int(time.time()),
    }
    email = _email(services, user_id)
    if email:
        profile["email"] = email
    memory.save_profile(user_id, profile)
    current = conversation_id(runtime)
    earlier = [
        item
        for item in memory.conversation_summaries(user_id, limit=1000)
        if item["conversation_id"] != current
    ]
    if not earlier:
        return None
    return {"conversations": len(earlier), "latest": str(earlier[0].get("summary", ""))}


def _email(services: Services, user_id: str) -> str | None:
    try:
        email = services.orders.get_user_details(user_id).get("email")
    except OrderToolError:
        return None
    return str(email) if email else None


def note_chapter(
    runtime: Runtime[Context],
    services: Services,
    state: State,
    outcome: Outcome,
    agent: str | None = None,
) -> None:
    """Remember a one-line summary of the conversation as it stands after this chapter."""
    customer = state.get("customer")
    memory = customer_memory(runtime, services)
    current = conversation_id(runtime)
    if memory is None or customer is None or not current:
        return
    # The summary quotes the customer: personal data in it is masked before it is kept.
    summary = services.redactor.redact(chapter_summary(state, outcome, agent))
    intent = state.get("intent")
    stored = memory.conversation_summary(customer["user_id"], current)
    if (stored.get("summary"), stored.get("outcome")) == (summary, outcome):
        return
    memory.remember_conversation(
        customer["user_id"], current, summary, intent=intent, outcome=outcome
    )


def chapter_summary(state: State, outcome: Outcome, agent: str | None = None) -> str:
    """One line saying what the conversation was about and how this chapter ended."""
    topic = _topic(state)
    if outcome == "handed_off":
        reason = (state.get("handoff") or {"status": "none"}).get("reason") or "explicit_request"
        line = f"handed to a person ({reason.replace('_', ' ')}): {topic}"
        said = _last_words(state)
        if said:
            line += f" — “{said}”"
    elif outcome == "resolved":
        line = f"resolved by {agent or 'an agent'}: {topic}"
    else:
        line = action_done(state) or f"order action done: {topic}"
    return line[:_SUMMARY_CHARS]


def _topic(state: State) -> str:
    intent = (state.get("intent") or "unknown request").replace("_", " ")
    order = state.get("active_order_id")
    return f"{intent}, order {order}" if order else intent


def _last_words(state: State) -> str:
    message = last_customer_message(state.get("messages", []))
    text = " ".join(message_text(message).split()) if message else ""
    return text if len(text) <= 80 else text[:79].rstrip() + "…"


def action_done(state: State) -> str | None:
    """The latest successful consequential action of the turn in words, if any."""
    for result in reversed(state.get("tool_results") or []):
        template = _ACTIONS.get(result["tool"])
        if template and result["ok"]:
            output = result["output"] if isinstance(result["output"], dict) else {}
            order_id = output.get("order_id") or result["args"].get("order_id", "")
            return template.format(order_id=order_id)
    return None


def history_note(history: CustomerHistory | None) -> str | None:
    """The handoff summary's mention of earlier conversations, if any."""
    if not history:
        return None
    count = history["conversations"]
    plural = "conversation" if count == 1 else "conversations"
    return f"earlier: {count} {plural} (latest: {history['latest']})"
