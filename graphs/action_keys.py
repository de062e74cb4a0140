"""Idempotency keys of consequential order actions.

A key names one confirmed pending action of one conversation: the conversation (thread) id
and the proposal's own id. The order store records it with the write, so the same action
executed again (a node re-run after a crash, from the same checkpoint) is applied once.
"""

from __future__ import annotations

import hashlib
import json

from langgraph.config import get_config

from graphs.state import PendingAction
from tools.orders.store import AppliedAction


def current_conversation_id() -> str:
    """The thread id of the run this is called from ("" outside a run)."""
    try:
        config = get_config()
    except RuntimeError:
        return ""
    return str((config.get("configurable") or {}).get("thread_id") or "")


def action_key(conversation_id: str, pending: PendingAction) -> str:
    """The idempotency key of `pending` in `conversation_id`.

    A proposal without an id (saved before proposals had one) is named by its tool and
    arguments.
    """
    nonce = pending.get("id")
    if not nonce:
        described = json.dumps([pending["tool"], pending["args"]], sort_keys=True, default=str)
        nonce = hashlib.sha256(described.encode()).hexdigest()[:32]
    return f"{conversation_id}:{nonce}"


_DONE_IN_WORDS = {
    "cancel_pending_order": "your order {order_id} was cancelled",
    "modify_pending_order_address": "the shipping address of order {order_id} was changed",
    "modify_pending_order_items": "the items of order {order_id} were changed",
    "modify_pending_order_payment": "the payment method of order {order_id} was changed",
    "modify_user_address": "your default address was changed",
    "return_delivered_order_items": "the return of items of order {order_id} was requested",
    "exchange_delivered_order_items": "the exchange of items of order {order_id} was requested",
}


def describe_applied(applied: AppliedAction) -> str:
    """A sentence telling the customer that a recorded action was carried out."""
    template = _DONE_IN_WORDS.get(applied["tool"], "the requested change was made")
    done = template.format_map({"order_id": "", **applied["args"]}).replace("  ", " ")
    return f"Before the interruption, {done}."
