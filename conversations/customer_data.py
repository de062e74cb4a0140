"""Everything held about one customer: export it (GDPR/CCPA access), or erase it.

A customer's data lives in: the conversations recorded for them in the server store (the
record, every persisted event, the handoff queue entry), their channel threads (the email
address or phone number a conversation is answered on), the checkpoints of those
conversations (every namespace of each thread; on AWS, with the payloads offloaded to S3),
the long-term memory (profile, preferences, conversation summaries), the files the customer
attached to their messages and the order store.
The help-centre search index holds articles only, never customer data.

Erasure deletes all of it except the orders, which are kept for accounting with every
personal field blanked (`tools.orders.erasure`). SQLite files are compacted afterwards, so
nothing deleted stays readable on disk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from conversations.store import ServerStore
from conversations.transcript import all_events
from memory.long_term import CustomerMemory

PAGE = 500

ATTACHMENT_EVENTS = ("customer_message",)
"""The events that carry a message's attachment refs."""


def _jsonable(value: Any) -> Any:
    """Messages and other objects in a conversation's state, as JSON values."""
    dump = getattr(value, "model_dump", None)
    return dump() if callable(dump) else str(value)


@dataclass
class CustomerData:
    """Export or erase a customer's data across every store that holds it."""

    store: ServerStore
    checkpointer: BaseCheckpointSaver[Any]
    memory: CustomerMemory
    orders: Any
    compactors: Sequence[Callable[[], None]] = ()
    """Called after an erasure: make deleted rows unrecoverable (SQLite VACUUM)."""
    channels: Any = None
    """The channel records (`ChannelStore`): each conversation's address on its channel."""
    uploads: Any = None
    """The attachment store (`channels.uploads.Uploads`): files sent with messages."""

    def conversation_ids(self, customer_id: str) -> list[str]:
        """Every conversation recorded for the customer."""
        found: list[str] = []
        offset = 0
        while True:
            page = self.store.list_conversations(customer_id, PAGE, offset)
            found.extend(str(record["id"]) for record in page if record.get("id"))
            offset += len(page)
            if len(page) < PAGE:
                # A store may list other items it indexes by customer (a queue entry).
                return list(dict.fromkeys(found))

    def _events(
        self, conversation_id: str, types: tuple[str, ...] | None = None
    ) -> list[dict[str, Any]]:
        found = all_events(self.store, conversation_id, types, PAGE)
        return [{"seq": seq, **event} for seq, event in found]

    def _erase_attachments(self, conversation_id: str) -> int:
        """Delete the files attached to the conversation's messages; return how many."""
        if self.uploads is None:
            return 0
        ids = {
            str(ref["id"])
            for event in self._events(conversation_id, ATTACHMENT_EVENTS)
            for ref in event.get("attachments") or ()
            if isinstance(ref, dict) and ref.get("id")
        }
        return sum(1 for upload_id in sorted(ids) if self.uploads.delete(upload_id))

    def _state(self, conversation_id: str) -> dict[str, Any] | None:
        found = self.checkpointer.get_tuple({"configurable": {"thread_id": conversation_id}})
        if found is None:
            return None
        values = found.checkpoint.get("channel_values", {})
        state: dict[str, Any] = json.loads(json.dumps(values, default=_jsonable))
        return state

    def _orders(self, customer_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        from tools.orders.store import OrderToolError

        try:
            profile = self.orders.get_user_details(customer_id)
            return profile, list(self.orders.list_user_orders(customer_id))
        except OrderToolError:
            return None, []

    def export(self, customer_id: str) -> dict[str, Any]:
        """Everything held about the customer, as one JSON document."""
        conversations = []
        for conversation_id in self.conversation_ids(customer_id):
            conversations.append(
                {
                    "record": self.store.get_conversation(conversation_id),
                    "events": self._events(conversation_id),
                    "handoff": self.store.get_handoff(conversation_id),
                    "state": self._state(conversation_id),
                    "channel_thread": (
                        self.channels.get_thread(conversation_id) if self.channels else None
                    ),
                }
            )
        account, orders = self._orders(customer_id)
        return {
            "customer_id": customer_id,
            "exported_at": time.time(),
            "account": account,
            "orders": orders,
            "memory": {
                "profile": self.memory.profile(customer_id),
                "preferences": self.memory.preferences(customer_id),
                "conversation_summaries": self.memory.conversation_summaries(
                    customer_id, limit=10_000
                ),
            },
            "conversations": conversations,
        }

    def erase(self, customer_id: str) -> dict[str, int]:
        """Erase the customer's data; return what was deleted (and orders kept, blanked)."""
        counts = {
            "conversations": 0, "events": 0, "channel_threads": 0, "memory_items": 0,
            "attachments": 0, "orders_blanked": 0,
        }  # fmt: skip
        for conversation_id in self.conversation_ids(customer_id):
            self.checkpointer.delete_thread(conversation_id)
            if self.channels is not None and self.channels.forget(conversation_id):
                counts["channel_threads"] += 1
            counts["attachments"] += self._erase_attachments(conversation_id)
            counts["events"] += self.store.delete_conversation(conversation_id)
            counts["conversations"] += 1
        counts["memory_items"] = self.memory.forget(customer_id)
        erase_orders = getattr(self.orders, "erase_customer", None)
        if erase_orders is not None:
            counts["orders_blanked"] = erase_orders(customer_id)
        self.store.compact()
        for compact in self.compactors:
            compact()
        return counts
