"""Long-term memory about customers, across conversations: profile, preferences, summaries.

The store is LangGraph's `BaseStore`: `InMemoryStore` for tests, `SqliteStore` in the
data folder by default, `DynamoDBStore` from `langgraph-checkpoint-aws` on AWS (its table
comes from `wiring.aws_resources.ensure_memory_table`; `wiring.persistence` opens it).
`CustomerMemory` is the typed view the rest of Tandem uses, so the namespaces are spelled
in one place:

- `(tenant, "customers", customer_id)`: items `profile` and `preferences`;
- `(tenant, "customers", customer_id, "summaries")`: one item per conversation id.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.store.base import BaseStore

PROFILE = "profile"
PREFERENCES = "preferences"
SUMMARIES = "summaries"


class CustomerMemory:
    """What Tandem remembers about one tenant's customers, on any `BaseStore`."""

    def __init__(self, store: BaseStore, tenant: str) -> None:
        self.store = store
        self.tenant = tenant

    def _customer(self, customer_id: str) -> tuple[str, ...]:
        if not customer_id:
            raise ValueError("a customer id is required")
        return (self.tenant, "customers", customer_id)

    def profile(self, customer_id: str) -> dict[str, Any]:
        """The customer's profile (empty when none is stored)."""
        item = self.store.get(self._customer(customer_id), PROFILE)
        return dict(item.value) if item else {}

    def save_profile(self, customer_id: str, profile: dict[str, Any]) -> None:
        """Replace the customer's profile."""
        self.store.put(self._customer(customer_id), PROFILE, dict(profile))

    def preferences(self, customer_id: str) -> dict[str, Any]:
        """The customer's preferences (empty when none are stored)."""
        item = self.store.get(self._customer(customer_id), PREFERENCES)
        return dict(item.value) if item else {}

    def update_preferences(self, customer_id: str, **changes: Any) -> dict[str, Any]:
        """Merge `changes` into the preferences (a None value removes one); return them."""
        merged = {**self.preferences(customer_id), **changes}
        merged = {key: value for key, value in merged.items() if value is not None}
        self.store.put(self._customer(customer_id), PREFERENCES, merged)
        return merged

    def remember_conversation(
        self, customer_id: str, conversation_id: str, summary: str, **details: Any
    ) -> None:
        """Store (or replace) the summary of one conversation, stamped with the time now."""
        namespace = (*self._customer(customer_id), SUMMARIES)
        value = {**details, "summary": summary, "remembered_at": time.time_ns()}
        self.store.put(namespace, conversation_id, value)

    def conversation_summary(self, customer_id: str, conversation_id: str) -> dict[str, Any]:
        """The stored summary of one conversation (empty when none is stored)."""
        namespace = (*self._customer(customer_id), SUMMARIES)
        item = self.store.get(namespace, conversation_id)
        return dict(item.value) if item else {}

    def conversation_summaries(self, customer_id: str, limit: int = 10) -> list[dict[str, Any]]:
        """The customer's conversation summaries, most recently remembered first."""
        namespace = (*self._customer(customer_id), SUMMARIES)
        items = self.store.search(namespace, limit=1000)
        # Stores keep `updated_at` to whole seconds at best; the stamp orders within one
        # (in nanoseconds: the DynamoDB store takes no floats).
        items.sort(key=lambda item: item.value.get("remembered_at", 0), reverse=True)
        return [{"conversation_id": item.key, **item.value} for item in items[:limit]]

    def forget(self, customer_id: str) -> int:
        """Delete everything remembered about the customer; return how many items."""
        customer = self._customer(customer_id)
        # Each namespace on its own: DynamoDBStore searches one namespace, not its children.
        forgotten = 0
        for namespace in (customer, (*customer, SUMMARIES)):
            for item in self.store.search(namespace, limit=10_000):
                if tuple(item.namespace) == namespace:
                    self.store.delete(namespace, item.key)
                    forgotten += 1
        return forgotten
