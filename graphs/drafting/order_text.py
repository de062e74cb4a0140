"""Render order facts from tool results as short customer-facing text.

Every number, date and id printed here comes from a tool result; nothing is made up.
"""

from __future__ import annotations

from typing import Any

STATUS_MEANING = {
    "pending": "has been placed and not yet processed, so it can still be cancelled or changed",
    "processed": "has been processed and is on its way",
    "delivered": "has been delivered",
    "cancelled": "was cancelled",
}


def money(amount: float) -> str:
    """Format an amount in dollars."""
    return f"${amount:,.2f}"


def options_text(options: dict[str, Any]) -> str:
    """Render variant options as "color: black, size: M"."""
    return ", ".join(f"{key}: {value}" for key, value in options.items())


def order_summary(order: dict[str, Any]) -> str:
    """A compact multi-line description of one order."""
    status = str(order.get("status", "unknown"))
    meaning = STATUS_MEANING.get(status.split(" (")[0], "")
    lines = [
        f"Order {order['order_id']} is **{status}**" + (f" — it {meaning}." if meaning else ".")
    ]
    items = order.get("items", [])
    if items:
        lines.append("Items:")
        lines.extend(
            f"- {item['name']} ({options_text(item.get('options', {}))}) — {money(item['price'])}"
            for item in items
        )
        lines.append(f"Total: {money(sum(item['price'] for item in items))}")
    for fulfillment in order.get("fulfillments", []):
        tracking = ", ".join(fulfillment.get("tracking_id", []))
        if tracking:
            lines.append(f"Tracking number: {tracking}")
    address = order.get("address")
    if address and status.startswith(("pending", "processed")):
        lines.append(
            f"Shipping to: {address.get('address1', '')}, {address.get('city', '')}, "
            f"{address.get('state', '')} {address.get('zip', '')}"
        )
    return "\n".join(lines)


def order_list(orders: list[dict[str, Any]]) -> str:
    """One line per order: id, status, item count and total."""
    if not orders:
        return "I don't see any orders on your account."
    lines = []
    for order in orders:
        items = order.get("items", [])
        total = sum(item["price"] for item in items)
        names = ", ".join(item["name"] for item in items[:3])
        lines.append(f"- {order['order_id']}: {order.get('status')} — {names} ({money(total)})")
    return "\n".join(lines)


def payment_methods_text(user: dict[str, Any]) -> str:
    """List a customer's payment methods (gift cards with their balance)."""
    lines = []
    for method_id, method in user.get("payment_methods", {}).items():
        extra = f", balance {money(method['balance'])}" if "balance" in method else ""
        lines.append(f"- {method_id} ({method.get('source', '').replace('_', ' ')}{extra})")
    return "\n".join(lines)
