"""Turn an order intent into an exact, policy-checked action awaiting confirmation.

The retail policy: only pending orders can be cancelled or modified, only delivered
orders returned or exchanged; a cancellation needs a reason ("no longer needed" or
"ordered by mistake"); refunds go to the original payment method or an existing gift
card; exchanges stay within the same product. Refunds above the configured limit go to
a human.
"""

from __future__ import annotations

import uuid
from typing import Any

from graphs.order_slots import (
    choose_payment_method,
    match_variant,
    original_payment_method,
    parse_address,
    select_items,
    wanted_options,
)
from graphs.services import Services
from graphs.state import PendingAction, ToolResult

REQUIRED_STATUS = {
    "cancel": "pending",
    "modify_address": "pending",
    "modify_payment": "pending",
    "modify_items": "pending",
    "return": "delivered",
    "exchange": "delivered",
}

TOOL_OF = {
    "cancel": "cancel_pending_order",
    "modify_address": "modify_pending_order_address",
    "modify_payment": "modify_pending_order_payment",
    "modify_items": "modify_pending_order_items",
    "return": "return_delivered_order_items",
    "exchange": "exchange_delivered_order_items",
    "modify_user_address": "modify_user_address",
}

CANCEL_REASONS = ("no longer needed", "ordered by mistake")


def describe_method(user: dict[str, Any], method_id: str | None) -> str:
    """Name a payment method the way a customer recognises it ("your Visa ending 4242")."""
    method = user.get("payment_methods", {}).get(method_id or "", {})
    source = method.get("source")
    if source == "credit_card":
        brand = str(method.get("brand", "card")).title()
        return f"your {brand} card ending {method.get('last_four', '')}".strip()
    if source == "gift_card":
        return f"your gift card ({method_id})"
    if source == "paypal":
        return f"your PayPal account ({method_id})"
    return str(method_id)


def _money(amount: float) -> str:
    return f"${amount:,.2f}"


def _pending(
    action: str,
    args: dict[str, Any],
    summary: str,
    missing: list[str],
    user: dict[str, Any] | None = None,
    method: str | None = None,
    **extra: Any,
) -> PendingAction:
    pending: PendingAction = {
        "action": action,
        "tool": TOOL_OF[action],
        "args": args,
        "summary": summary,
        "missing": missing,
        "id": uuid.uuid4().hex,
    }
    pending.update(extra)  # type: ignore[typeddict-item]
    method = method or args.get("payment_method_id")
    if user and method:
        pending["payment_label"] = describe_method(user, method)
    return pending


def _result(pending: PendingAction | None, notice: str, **extra: Any) -> dict[str, Any]:
    if pending is not None and not pending["missing"] and notice == "ask_missing":
        notice = "ask_confirm"
    return {"pending": pending, "notice": notice, **extra}


def propose(
    action: str,
    order: dict[str, Any] | None,
    user: dict[str, Any] | None,
    text: str,
    entities: dict[str, Any],
    services: Services,
    results: list[ToolResult] | None = None,
    earlier: PendingAction | None = None,
) -> dict[str, Any]:
    """Build the pending action for `action`, or explain why it cannot be done."""
    user = user or {}
    if action == "modify_user_address":
        address = parse_address(text) or entities.get("address")
        if not address:
            args = {"user_id": user.get("user_id", "")}
            return _result(_pending(action, args, "", ["address"]), "ask_missing")
        args = {"user_id": user.get("user_id", ""), **address}
        summary = (
            f"change your default address from {_address_line(user.get('address'))} "
            f"to {_address_line(address)}"
        )
        return _result(_pending(action, args, summary, []), "ask_confirm")

    assert order is not None, "order actions need an order"
    required = REQUIRED_STATUS[action]
    if order.get("status") != required:
        return {"pending": None, "notice": f"action_not_allowed:{action}:{order.get('status')}"}
    order_id = order["order_id"]
    paid_with = original_payment_method(order)

    if action == "cancel":
        reason = entities.get("cancel_reason")
        reason = reason if reason in CANCEL_REASONS else None
        total = sum(item["price"] for item in order.get("items", []))
        names = ", ".join(item["name"] for item in order.get("items", []))
        summary = (
            f"cancel order {order_id} ({names}; reason: {reason}); {_money(total)} is refunded "
            f"to {describe_method(user, paid_with)}"
        )
        args = {"order_id": order_id, "reason": reason}
        return _result(
            _pending(action, args, summary, [] if reason else ["reason"], user, paid_with),
            "ask_missing",
        )

    if action == "modify_address":
        address = parse_address(text) or entities.get("address")
        args = {"order_id": order_id, **(address or {})}
        summary = f"ship order {order_id} to {_address_line(address)}" if address else ""
        return _result(
            _pending(action, args, summary, [] if address else ["address"]), "ask_missing"
        )

    if action == "modify_payment":
        method = choose_payment_method(user, entities, None)
        if method == paid_with:
            method = None
        balance = user.get("payment_methods", {}).get(method or "", {}).get("balance")
        total = round(sum(item["price"] for item in order.get("items", [])), 2)
        if balance is not None and balance < total:
            return {"pending": None, "notice": f"gift_card_insufficient:{method}:{balance}:{total}"}
        args = {"order_id": order_id, "payment_method_id": method}
        summary = (
            f"pay for order {order_id} with {describe_method(user, method)} instead of "
            f"{describe_method(user, paid_with)}"
        )
        return _result(
            _pending(action, args, summary, [] if method else ["payment_method"], user),
            "ask_missing",
        )

    earlier_ids = (earlier["args"].get("item_ids") if earlier else None) or []
    items = select_items(order, text, entities.get("item_ids") or [], earlier_ids)
    item_ids = [item["item_id"] for item in items]
    names = ", ".join(f"{item['name']} ({_money(item['price'])})" for item in items)
    if action == "return":
        method = choose_payment_method(user, entities, paid_with)
        if method != paid_with and not str(method).startswith("gift_card"):
            method = paid_with
        refund = round(sum(item["price"] for item in items), 2)
        args = {"order_id": order_id, "item_ids": item_ids, "payment_method_id": method}
        summary = (
            f"return {names} from order {order_id}; {_money(refund)} is refunded to "
            f"{describe_method(user, method)}"
        )
        pending = _pending(action, args, summary, [], user, refund_total=refund)
        if refund > services.limits.refund_limit:
            return {
                "pending": None,
                "notice": "policy_handoff",
                "handoff_reason": "policy_refund_limit",
                "refund_total": refund,
            }
        return _result(pending, "ask_confirm")

    # exchange (delivered) or modify_items (pending): each item to another variant
    new_ids: list[str] = []
    asked = (earlier.get("wanted") if earlier else None) or {}
    wanted_by_item: dict[str, dict[str, str]] = {}
    for item in items:
        product = services.orders.get_product_details(item["product_id"])
        wanted = wanted_options(product, item["item_id"], text, asked.get(item["item_id"]))
        wanted_by_item[item["item_id"]] = wanted
        chosen, alternatives, honoured = match_variant(product, item["item_id"], text, wanted)
        if results is not None:
            results.append(
                {
                    "tool": "get_product_details",
                    "args": {"product_id": item["product_id"]},
                    "ok": True,
                    "output": {
                        "name": product.get("name"),
                        "current": item,
                        "available": alternatives,
                        "wanted": wanted,
                        "honoured": honoured,
                    },
                }
            )
        if chosen is None:
            args = {
                "order_id": order_id,
                "item_ids": item_ids,
                "new_item_ids": [],
                "payment_method_id": paid_with,
            }
            pending = _pending(action, args, "", ["new_items"], wanted=wanted_by_item)
            return _result(pending, "ask_variant")
        new_ids.append(chosen["item_id"])
    method = choose_payment_method(user, entities, paid_with)
    args = {
        "order_id": order_id,
        "item_ids": item_ids,
        "new_item_ids": new_ids,
        "payment_method_id": method,
    }
    verb = "exchange" if action == "exchange" else "change"
    summary = (
        f"{verb} {names} in order {order_id} for item(s) {', '.join(new_ids)}; the price "
        f"difference is settled with {describe_method(user, method)}"
    )
    return _result(_pending(action, args, summary, [], user), "ask_confirm")


def _address_line(address: dict[str, str] | None) -> str:
    if not address:
        return ""
    parts = [
        address["address1"],
        address.get("address2", ""),
        address["city"],
        f"{address['state']} {address['zip']}",
        address["country"],
    ]
    return ", ".join(part for part in parts if part)
