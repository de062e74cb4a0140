"""The order-store interface: τ-bench's retail tools as typed methods.

Every method mirrors the τ-bench retail tool of the same name and argument names, but
returns parsed values (dicts, lists, strings) instead of JSON strings, and raises
`OrderToolError` where τ-bench returns ``"Error: <message>"``.
"""

from __future__ import annotations

from typing import Any, Protocol, TypedDict, runtime_checkable

JsonDict = dict[str, Any]
"""A τ-bench record (user, order, product) as parsed JSON."""


class AppliedAction(TypedDict):
    """A write tool call recorded under its idempotency key, with the change it made."""

    key: str
    scope: str
    tool: str
    args: JsonDict
    result: JsonDict
    applied_at: float


def phone_digits(phone: str) -> str:
    """A phone number's digits, the form numbers are compared in (``+1 415-555`` → ``1415555``)."""
    return "".join(ch for ch in phone if ch.isdigit())


class OrderToolError(Exception):
    """A tool refused the request; the message is τ-bench's error text without "Error: "."""

    @property
    def message(self) -> str:
        """The error text exactly as τ-bench words it (after the ``"Error: "`` prefix)."""
        return str(self.args[0]) if self.args else ""

    def observation(self) -> str:
        """Return the observation τ-bench would return for this error (``"Error: <message>"``)."""
        return f"Error: {self.message}"


@runtime_checkable
class OrderStore(Protocol):
    """Users, orders and products of a retail shop, with τ-bench's retail tools."""

    def find_user_id_by_email(self, email: str) -> str:
        """Return the id of the first user whose email matches (case-insensitive)."""
        ...

    def find_user_id_by_name_zip(self, first_name: str, last_name: str, zip: str) -> str:
        """Return the id of the first user with this name (case-insensitive) and zip."""
        ...

    def get_user_details(self, user_id: str) -> JsonDict:
        """Return the user's profile: name, address, email, payment methods, order ids."""
        ...

    def get_order_details(self, order_id: str) -> JsonDict:
        """Return the order record."""
        ...

    def get_product_details(self, product_id: str) -> JsonDict:
        """Return the product with all its variants."""
        ...

    def list_all_product_types(self) -> dict[str, str]:
        """Return product name -> product id, sorted by name."""
        ...

    def ping(self) -> None:
        """Make one small read (readiness probes); raise when the store does not answer."""
        ...

    def cancel_pending_order(self, order_id: str, reason: str) -> JsonDict:
        """Cancel a pending order, refunding each payment; return the order."""
        ...

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
        ...

    def modify_pending_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
    ) -> JsonDict:
        """Swap items of a pending order for variants of the same product; return the order."""
        ...

    def modify_pending_order_payment(self, order_id: str, payment_method_id: str) -> JsonDict:
        """Pay a pending order with another payment method; return the order."""
        ...

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
        ...

    def return_delivered_order_items(
        self, order_id: str, item_ids: list[str], payment_method_id: str
    ) -> JsonDict:
        """Request a return of items of a delivered order; return the order."""
        ...

    def exchange_delivered_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
    ) -> JsonDict:
        """Request an exchange of delivered items for same-product variants; return the order."""
        ...

    def apply_once(
        self, key: str, tool: str, args: JsonDict, scope: str = ""
    ) -> tuple[JsonDict, bool]:
        """Run write tool `tool` at most once per idempotency `key`: (result, applied now)."""
        ...

    def applied_action(self, key: str) -> AppliedAction | None:
        """The change recorded under an idempotency key, or None when it was never made."""
        ...

    def list_user_orders(self, user_id: str) -> list[JsonDict]:
        """Return the details of every order of the user, in the user's order-list order."""
        ...

    def find_item(self, item_id: str) -> JsonDict | None:
        """Return a catalogue item (variant plus ``product_id`` and ``name``), or None."""
        ...
