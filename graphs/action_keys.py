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
