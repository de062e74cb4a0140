"""Pending actions in words: what changes, old → new, what is paid or refunded, and where.

Every description is built from the records and from the dry run's outcome, never from
the model's words, so what the customer confirms is exactly what will run.
"""

from __future__ import annotations

from typing import Any

from graphs.order_proposals import describe_method

JsonDict = dict[str, Any]

_ADDRESS_KEYS = ("address1", "address2", "city", "state", "zip", "country")


def money(amount: float) -> str:
    """`$1,234.50`."""
    return f"${amount:,.2f}"


def address_line(address: JsonDict | None) -> str:
    """One-line postal address."""
    if not address:
        return "(none)"
    return ", ".join(str(address[key]) for key in _ADDRESS_KEYS if address.get(key))


def _options(item: JsonDict) -> str:
    options = item.get("options") or {}
    return ", ".join(f"{key} {value}" for key, value in options.items()) or "no options"


def _item(item: JsonDict) -> str:
    return (
        f"{item.get('name', 'item')} {item['item_id']} ({_options(item)}, {money(item['price'])})"
    )


def _first(order: JsonDict, item_id: str) -> JsonDict:
    return next(item for item in order["items"] if item["item_id"] == item_id)


def _swaps(before: JsonDict, args: JsonDict, products: dict[str, JsonDict]) -> list[str]:
    lines = []
    for old_id, new_id in zip(args["item_ids"], args["new_item_ids"], strict=False):
        item = _first(before, old_id)
        variant = products[item["product_id"]]["variants"][new_id]
        lines.append(
            f"{item.get('name', 'item')}: {_options(item)} ({money(item['price'])}) → "
            f"{_options(variant)} ({money(variant['price'])}), new item {new_id}"
        )
    return lines


def _difference(amount: float, method: str) -> str:
    if amount > 0:
        return f"price difference: you pay {money(amount)} with {method}"
    if amount < 0:
        return f"price difference: {money(-amount)} is refunded to {method}"
    return "no price difference"


def describe(
    tool: str,
    args: JsonDict,
    before: JsonDict,
    after: JsonDict,
    user: JsonDict,
    products: dict[str, JsonDict],
) -> tuple[str, float]:
    """The action in words and the amount it refunds to the customer.

    `before` / `after` are the order (or, for `modify_user_address`, the user) before and
    after a dry run of the action; `products` holds the products the action touches.
    """
    method = describe_method(user, args.get("payment_method_id"))
    if tool == "modify_user_address":
        text = (
            f"change your default address from {address_line(before.get('address'))} "
            f"to {address_line(after.get('address'))}"
        )
        return text, 0.0
    order_id = args["order_id"]
    if tool == "cancel_pending_order":
        paid = [p for p in before["payment_history"] if p["transaction_type"] == "payment"]
        refund = round(sum(p["amount"] for p in before["payment_history"]), 2)
        refunds = "; ".join(
            f"{money(p['amount'])} back to {describe_method(user, p['payment_method_id'])}"
            for p in paid
        )
        items = "; ".join(_item(item) for item in before["items"])
        return (
            f"cancel order {order_id} ({items}) because it is {args['reason']!r}; "
            f"refunds: {refunds or 'none'}",
            refund,
        )
    if tool == "modify_pending_order_address":
        return (
            f"change the shipping address of order {order_id} from "
            f"{address_line(before.get('address'))} to {address_line(after.get('address'))}",
            0.0,
        )
    if tool == "modify_pending_order_payment":
        old = before["payment_history"][0]
        return (
            f"pay order {order_id} ({money(old['amount'])}) with {method} instead of "
            f"{describe_method(user, old['payment_method_id'])}, which is refunded",
            0.0,
        )
    if tool == "return_delivered_order_items":
        returned = [_first(before, item_id) for item_id in args["item_ids"]]
        refund = round(sum(item["price"] for item in returned), 2)
        return (
            f"return from order {order_id}: {'; '.join(_item(i) for i in returned)}; "
            f"{money(refund)} is refunded to {method}",
            refund,
        )
    swaps = "; ".join(_swaps(before, args, products))
    if tool == "exchange_delivered_order_items":
        difference = float(after.get("exchange_price_difference", 0.0))
        verb = "exchange in order"
    else:
        last = after["payment_history"][-1]
        sign = 1 if last["transaction_type"] == "payment" else -1
        difference = sign * float(last["amount"])
        verb = "change items of order"
    refund = max(-difference, 0.0)
    return f"{verb} {order_id}: {swaps}; {_difference(difference, method)}", refund
