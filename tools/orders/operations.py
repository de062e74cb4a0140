"""τ-bench's retail write tools as functions over parsed records.

The functions follow τ-bench's reference implementations check for check: the same
order of validations, the same error texts, the same float arithmetic and rounding, the
same key order in the records they change. They mutate the records handed out by a
`Documents` view in place and return the changed record; a store persists whatever
changed. Where τ-bench would fail with a bare ``KeyError`` the message is the same as
``str(KeyError(key))``.
"""

from __future__ import annotations

from typing import Any, Protocol

from tools.orders.store import JsonDict, OrderToolError

CANCEL_REASONS = ("no longer needed", "ordered by mistake")
"""The only reasons `cancel_pending_order` accepts."""


class Documents(Protocol):
    """Mutable access to records by id; the same dict is returned for repeated lookups."""

    def order(self, order_id: str) -> JsonDict | None:
        """Return the order record, or None."""
        ...

    def user(self, user_id: str) -> JsonDict | None:
        """Return the user record, or None."""
        ...

    def product(self, product_id: str) -> JsonDict | None:
        """Return the product record, or None."""
        ...


def _missing(key: str) -> OrderToolError:
    return OrderToolError(str(KeyError(key)))


def _user(docs: Documents, user_id: str) -> JsonDict:
    user = docs.user(user_id)
    if user is None:
        raise _missing(user_id)
    return user


def _product(docs: Documents, product_id: str) -> JsonDict:
    product = docs.product(product_id)
    if product is None:
        raise _missing(product_id)
    return product


def _payment_methods(docs: Documents, user_id: str) -> dict[str, JsonDict]:
    methods: dict[str, JsonDict] = _user(docs, user_id)["payment_methods"]
    return methods


def _payment_method(docs: Documents, user_id: str, payment_method_id: str) -> JsonDict:
    methods = _payment_methods(docs, user_id)
    if payment_method_id not in methods:
        raise _missing(payment_method_id)
    return methods[payment_method_id]


def _order_with_status(docs: Documents, order_id: str, status: str, refusal: str) -> JsonDict:
    order = docs.order(order_id)
    if order is None:
        raise OrderToolError("order not found")
    if order["status"] != status:
        raise OrderToolError(refusal)
    return order


def _address(
    address1: str, address2: str, city: str, state: str, country: str, zip: str
) -> dict[str, str]:
    return {
        "address1": address1,
        "address2": address2,
        "city": city,
        "state": state,
        "country": country,
        "zip": zip,
    }


def cancel_pending_order(docs: Documents, order_id: str, reason: str) -> JsonDict:
    """Cancel a pending order; gift-card payments are refunded to the card at once."""
    order = _order_with_status(docs, order_id, "pending", "non-pending order cannot be cancelled")
    if reason not in CANCEL_REASONS:
        raise OrderToolError("invalid reason")
    refunds = []
    for payment in order["payment_history"]:
        payment_id = payment["payment_method_id"]
        refunds.append(
            {
                "transaction_type": "refund",
                "amount": payment["amount"],
                "payment_method_id": payment_id,
            }
        )
        if "gift_card" in payment_id:
            method = _payment_method(docs, order["user_id"], payment_id)
            method["balance"] += payment["amount"]
            method["balance"] = round(method["balance"], 2)
    order["status"] = "cancelled"
    order["cancel_reason"] = reason
    order["payment_history"].extend(refunds)
    return order


def modify_pending_order_address(
    docs: Documents,
    order_id: str,
    address1: str,
    address2: str,
    city: str,
    state: str,
    country: str,
    zip: str,
) -> JsonDict:
    """Replace the shipping address of a pending order."""
    order = _order_with_status(docs, order_id, "pending", "non-pending order cannot be modified")
    order["address"] = _address(address1, address2, city, state, country, zip)
    return order


def modify_user_address(
    docs: Documents,
    user_id: str,
    address1: str,
    address2: str,
    city: str,
    state: str,
    country: str,
    zip: str,
) -> JsonDict:
    """Replace a user's default address."""
    user = docs.user(user_id)
    if user is None:
        raise OrderToolError("user not found")
    user["address"] = _address(address1, address2, city, state, country, zip)
    return user


def _check_items(order: JsonDict, item_ids: list[str], message: str | None) -> None:
    all_item_ids = [item["item_id"] for item in order["items"]]
    for item_id in item_ids:
        if item_ids.count(item_id) > all_item_ids.count(item_id):
            raise OrderToolError(message or f"{item_id} not found")


def _first_item(order: JsonDict, item_id: str) -> JsonDict:
    for item in order["items"]:
        if item["item_id"] == item_id:
            found: JsonDict = item
            return found
    raise IndexError("list index out of range")


def _price_difference(
    docs: Documents, order: JsonDict, item_ids: list[str], new_item_ids: list[str]
) -> Any:
    if len(item_ids) != len(new_item_ids):
        raise OrderToolError("the number of items to be exchanged should match")
    diff_price: Any = 0
    for item_id, new_item_id in zip(item_ids, new_item_ids, strict=False):
        item = _first_item(order, item_id)
        variants = _product(docs, item["product_id"])["variants"]
        if not (new_item_id in variants and variants[new_item_id]["available"]):
            raise OrderToolError(f"new item {new_item_id} not found or available")
        diff_price += variants[new_item_id]["price"] - item["price"]
    return diff_price


def _gift_card_short(method: JsonDict, amount: Any) -> bool:
    return bool(method["source"] == "gift_card" and method["balance"] < amount)


def modify_pending_order_items(
    docs: Documents,
    order_id: str,
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
) -> JsonDict:
    """Swap items of a pending order for other variants; settle the price difference."""
    order = _order_with_status(docs, order_id, "pending", "non-pending order cannot be modified")
    _check_items(order, item_ids, None)
    diff_price = _price_difference(docs, order, item_ids, new_item_ids)
    methods = _payment_methods(docs, order["user_id"])
    if payment_method_id not in methods:
        raise OrderToolError("payment method not found")
    method = methods[payment_method_id]
    if _gift_card_short(method, diff_price):
        raise OrderToolError("insufficient gift card balance to pay for the new item")
    order["payment_history"].append(
        {
            "transaction_type": "payment" if diff_price > 0 else "refund",
            "amount": abs(diff_price),
            "payment_method_id": payment_method_id,
        }
    )
    if method["source"] == "gift_card":
        method["balance"] -= diff_price
        method["balance"] = round(method["balance"], 2)
    for item_id, new_item_id in zip(item_ids, new_item_ids, strict=False):
        item = _first_item(order, item_id)
        variant = _product(docs, item["product_id"])["variants"][new_item_id]
        item["item_id"] = new_item_id
        item["price"] = variant["price"]
        item["options"] = variant["options"]
    order["status"] = "pending (item modified)"
    return order


def modify_pending_order_payment(
    docs: Documents, order_id: str, payment_method_id: str
) -> JsonDict:
    """Pay a pending order with another method; refund the original payment."""
    order = _order_with_status(docs, order_id, "pending", "non-pending order cannot be modified")
    methods = _payment_methods(docs, order["user_id"])
    if payment_method_id not in methods:
        raise OrderToolError("payment method not found")
    history = order["payment_history"]
    if len(history) > 1 or history[0]["transaction_type"] != "payment":
        raise OrderToolError("there should be exactly one payment for a pending order")
    old_method_id = history[0]["payment_method_id"]
    if old_method_id == payment_method_id:
        raise OrderToolError("the new payment method should be different from the current one")
    amount = history[0]["amount"]
    method = methods[payment_method_id]
    if _gift_card_short(method, amount):
        raise OrderToolError("insufficient gift card balance to pay for the order")
    history.extend(
        [
            {
                "transaction_type": "payment",
                "amount": amount,
                "payment_method_id": payment_method_id,
            },
            {
                "transaction_type": "refund",
                "amount": amount,
                "payment_method_id": old_method_id,
            },
        ]
    )
    if method["source"] == "gift_card":
        method["balance"] -= amount
        method["balance"] = round(method["balance"], 2)
    if "gift_card" in old_method_id:
        old_method = _payment_method(docs, order["user_id"], old_method_id)
        old_method["balance"] += amount
        old_method["balance"] = round(old_method["balance"], 2)
    return order


def return_delivered_order_items(
    docs: Documents, order_id: str, item_ids: list[str], payment_method_id: str
) -> JsonDict:
    """Request a return of delivered items, refunded to the original method or a gift card."""
    order = _order_with_status(
        docs, order_id, "delivered", "non-delivered order cannot be returned"
    )
    if payment_method_id not in _payment_methods(docs, order["user_id"]):
        raise OrderToolError("payment method not found")
    if (
        "gift_card" not in payment_method_id
        and payment_method_id != order["payment_history"][0]["payment_method_id"]
    ):
        raise OrderToolError(
            "payment method should be either the original payment method or a gift card"
        )
    _check_items(order, item_ids, "some item not found")
    order["status"] = "return requested"
    order["return_items"] = sorted(item_ids)
    order["return_payment_method_id"] = payment_method_id
    return order


def exchange_delivered_order_items(
    docs: Documents,
    order_id: str,
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
) -> JsonDict:
    """Request an exchange of delivered items for other variants of the same products."""
    order = _order_with_status(
        docs, order_id, "delivered", "non-delivered order cannot be exchanged"
    )
    _check_items(order, item_ids, None)
    diff_price = round(_price_difference(docs, order, item_ids, new_item_ids), 2)
    methods = _payment_methods(docs, order["user_id"])
    if payment_method_id not in methods:
        raise OrderToolError("payment method not found")
    if _gift_card_short(methods[payment_method_id], diff_price):
        raise OrderToolError("insufficient gift card balance to pay for the price difference")
    order["status"] = "exchange requested"
    order["exchange_items"] = sorted(item_ids)
    order["exchange_new_items"] = sorted(new_item_ids)
    order["exchange_payment_method_id"] = payment_method_id
    order["exchange_price_difference"] = diff_price
    return order
