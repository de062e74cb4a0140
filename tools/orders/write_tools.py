"""The τ-bench write tools shared by every order store.

Each tool is one pure function of `operations`, applied through the store's `_mutate`,
which runs it atomically against the store's records (a SQLite transaction, or DynamoDB
conditional writes with retries).

`apply_once` runs a tool under an idempotency key: the key and the tool's result are
written in the same atomic write as the change itself, so a call repeated with the same key
(a graph node re-executed after a crash) returns the recorded result instead of applying
the change twice, and `applied_action` tells whether a key's change was made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tools.orders import operations
from tools.orders.store import AppliedAction, JsonDict, OrderToolError

T = TypeVar("T")

WRITE_TOOLS = frozenset(
    {
        "cancel_pending_order",
        "modify_pending_order_address",
        "modify_pending_order_items",
        "modify_pending_order_payment",
        "modify_user_address",
        "return_delivered_order_items",
        "exchange_delivered_order_items",
    }
)
"""The tools that change records (each one a function of `operations`)."""


class WriteTools:
    """Mixin: the write tools, given a `_mutate(operation, *args)` that applies one atomically."""

    def _mutate(self, operation: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError

    def _mutate_once(
        self, key: str, scope: str, tool: str, operation: Callable[..., JsonDict], args: JsonDict
    ) -> tuple[JsonDict, bool]:
        raise NotImplementedError

    def applied_action(self, key: str) -> AppliedAction | None:
        """The change recorded under an idempotency key, or None when it was never made."""
        raise NotImplementedError

    def apply_once(
        self, key: str, tool: str, args: JsonDict, scope: str = ""
    ) -> tuple[JsonDict, bool]:
        """Run write tool `tool` once per `key`: (its result, whether this call applied it).

        `scope` (the conversation) is kept with the record. A tool that refuses raises
        `OrderToolError` and records nothing, so a later call with the key may try again.
        """
        if tool not in WRITE_TOOLS:
            raise OrderToolError(f"{tool} is not a write tool")
        try:
            return self._mutate_once(key, scope, tool, getattr(operations, tool), args)
        except OrderToolError:
            # A concurrent call with the same key may have won the race: report its change.
            done = self.applied_action(key)
            if done is None:
                raise
            return done["result"], False

    def cancel_pending_order(self, order_id: str, reason: str) -> JsonDict:
        """Cancel a pending order, refunding each payment; return the order."""
        return self._mutate(operations.cancel_pending_order, order_id, reason)

    def modify_pending_order_address(
        self,
        order_id: str,
        address1: str,
        address2: str,
        city: str,
        state: str,
        country: str,
        zip: str,
    ) -> JsonDict:
        """Replace the shipping address of a pending order; return the order."""
        return self._mutate(
            operations.modify_pending_order_address,
            order_id,
            address1,
            address2,
            city,
            state,
            country,
            zip,
        )

    def modify_pending_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
    ) -> JsonDict:
        """Swap items of a pending order for variants of the same product; return the order."""
        return self._mutate(
            operations.modify_pending_order_items,
            order_id,
            item_ids,
            new_item_ids,
            payment_method_id,
        )

    def modify_pending_order_payment(self, order_id: str, payment_method_id: str) -> JsonDict:
        """Pay a pending order with another payment method; return the order."""
        return self._mutate(operations.modify_pending_order_payment, order_id, payment_method_id)

    def modify_user_address(
        self,
        user_id: str,
        address1: str,
        address2: str,
        city: str,
        state: str,
        country: str,
        zip: str,
    ) -> JsonDict:
        """Replace the user's default address; return the user."""
        return self._mutate(
            operations.modify_user_address,
            user_id,
            address1,
            address2,
            city,
            state,
            country,
            zip,
        )

    def return_delivered_order_items(
        self, order_id: str, item_ids: list[str], payment_method_id: str
    ) -> JsonDict:
        """Request a return of items of a delivered order; return the order."""
        return self._mutate(
            operations.return_delivered_order_items, order_id, item_ids, payment_method_id
        )

    def exchange_delivered_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
    ) -> JsonDict:
        """Request an exchange of delivered items for same-product variants; return the order."""
        return self._mutate(
            operations.exchange_delivered_order_items,
            order_id,
            item_ids,
            new_item_ids,
            payment_method_id,
        )
