"""Reading order-action details out of a customer's words: items, variants, addresses.

Pure functions over τ-bench-shaped records, so they can be tested without a store.
"""

from __future__ import annotations

import re
from typing import Any

_ADDRESS = re.compile(
    r"(?<![\w#])(?P<address1>\d+[^,\n]*?),\s*(?:(?P<address2>(?:apt|suite|unit|#|floor)[^,\n]*?),\s*)?"
    r"(?P<city>[A-Za-z .'-]+?)(?:,\s*|\s+)(?P<state>[A-Za-z]{2})\s*,?\s*(?P<zip>\d{5})"
    r"(?:\s*,\s*(?P<country>[A-Za-z .]+))?",
    re.IGNORECASE,
)


def parse_address(text: str) -> dict[str, str] | None:
    """Parse "12 Main St, Apt 4, Springfield, IL 62704[, USA]" into τ-bench's fields.

    The comma between city and state may be left out ("12 Pine Street, Oakland CA 94612").
    """
    match = _ADDRESS.search(text)
    if not match:
        return None
    parts = match.groupdict()
    country = (parts.get("country") or "USA").strip().rstrip(".")
    return {
        "address1": parts["address1"].strip(),
        "address2": (parts.get("address2") or "").strip(),
        "city": parts["city"].strip(),
        "state": parts["state"].upper(),
        "country": "USA" if country.lower() in ("us", "usa", "united states") else country,
        "zip": parts["zip"],
    }


_ADDRESS_WORD = r"(?:address|adress|addr)"
_ACCOUNT_ADDRESS = re.compile(
    rf"\b{_ADDRESS_WORD}\s+(?:on|in|of|for|from|stored in|saved (?:on|in)|kept on)\s+"
    r"(?:my|the|our)\s+(?:user\s+|customer\s+)?(?:account|profile|file)\b"
    rf"|\b{_ADDRESS_WORD}\s+on\s+file\b"
    rf"|\b(?:account|profile|default|saved|stored)\s+(?:\w+\s+)?{_ADDRESS_WORD}\b",
    re.IGNORECASE,
)
_ORDER_ADDRESS = re.compile(
    r"\b(?:ship|send|deliver|redirect)\s+(?:my\s+|the\s+|this\s+|that\s+)?(?:pending\s+)?"
    r"(?:order|package|it)\b"
    rf"|\b{_ADDRESS_WORD}\s+(?:of|on|for)\s+(?:my|the|this|that)\s+(?:\w+\s+)?order\b"
    rf"|\border'?s\s+(?:\w+\s+)?{_ADDRESS_WORD}\b"
    r"|#?\bW?\d{7}\b",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"\b(?:change|update|edit|modify|set|correct|fix|replace|new|moved|save|switch|ship|send"
    r"|deliver)\b",
    re.IGNORECASE,
)


def address_scope(text: str, has_address: bool = False) -> str | None:
    """Whose address a change request is about: "account", "order" or None (no such request).

    "the address on my account / my profile / my default address" is the account's;
    "ship order X to ...", "the delivery address of my order" is an order's. A message
    naming both (or an order number) is about the order. `has_address` says the message
    held an address the guard node took out of the text.
    """
    if not (_CHANGE.search(text) or has_address or parse_address(text)):
        return None
    if _ORDER_ADDRESS.search(text):
        return "order"
    if _ACCOUNT_ADDRESS.search(text):
        return "account"
    return None


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase.lower())}s?\b", text.lower()) is not None


def select_items(
    order: dict[str, Any], text: str, item_ids: list[str], earlier: list[str] | None = None
) -> list[dict[str, Any]]:
    """Return the order's items the customer named (by item id or product name).

    When this message names none, the items chosen earlier in the same request are kept;
    failing that every item of the order is selected. The confirmation message lists them,
    so the customer sees exactly what will happen before saying yes.
    """
    items: list[dict[str, Any]] = order.get("items", [])
    chosen = [item for item in items if item["item_id"] in item_ids]
    if not chosen:
        chosen = [item for item in items if _mentions(text, item["name"])]
    if not chosen and earlier:
        chosen = [item for item in items if item["item_id"] in earlier]
    return chosen or list(items)


def _same(key: str, text: str) -> bool:
    """Whether the customer keeps `key` as it is ("same color", "same colour", "same size")."""
    name = re.escape(key.lower()).replace("color", "colou?r")
    return re.search(rf"\b(?:same|keep(?: the)?(?: same)?) {name}\b", text.lower()) is not None


def wanted_options(
    product: dict[str, Any], current_item_id: str, text: str, earlier: dict[str, str] | None = None
) -> dict[str, str]:
    """The option values the customer asked for: named ones and kept ones ("same color").

    A value named for an option wins over the current one ("size 10" when the item is size
    9); naming the current value or saying "same color" keeps it; what was asked for earlier
    in the same request holds unless this message names that option again.
    """
    variants = list(product.get("variants", {}).values())
    current = product.get("variants", {}).get(current_item_id, {}).get("options", {})
    wanted = dict(earlier or {})
    for key in current:
        values = {
            str(v.get("options", {}).get(key)) for v in variants if key in v.get("options", {})
        }
        named = [value for value in sorted(values) if _mentions(text, value)]
        changed = [value for value in named if value != str(current[key])]
        if len(changed) == 1:
            wanted[key] = changed[0]
        elif changed:
            wanted.pop(key, None)  # several values named: let the customer choose
        elif named or _same(key, text):
            wanted[key] = str(current[key])
    return wanted


def _has(variant: dict[str, Any], values: dict[str, str]) -> bool:
    options = variant.get("options", {})
    return all(str(options.get(key)) == value for key, value in values.items())


_BIGGER = re.compile(r"\b(?:bigger|larger|too (?:small|tight|short))\b", re.IGNORECASE)
_SMALLER = re.compile(r"\b(?:smaller|too (?:big|large|loose|long))\b", re.IGNORECASE)


def _size_number(value: Any) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def _sized(variants: list[dict[str, Any]], size: Any, text: str) -> list[dict[str, Any]]:
    """Only bigger (or smaller) numeric sizes when the customer asks for one ("too small").

    All of `variants` when none is bigger (or smaller), so the customer still sees them.
    """
    now = _size_number(size)
    bigger, smaller = bool(_BIGGER.search(text)), bool(_SMALLER.search(text))
    if now is None or bigger == smaller:
        return variants
    sized = []
    for variant in variants:
        other = _size_number(variant.get("options", {}).get("size"))
        if other is not None and (other > now if bigger else other < now):
            sized.append(variant)
    return sized or variants


def match_variant(
    product: dict[str, Any],
    current_item_id: str,
    text: str,
    wanted: dict[str, str] | None = None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], dict[str, str]]:
    """Pick the available variant of `product` whose option values the customer named.

    `wanted` holds option values the customer asked for or asked to keep (see
    `wanted_options`). Returns the unique match (or None), the available alternatives to
    offer, and the option values those alternatives all keep. Only variants keeping the
    kept values are offered; when no variant has everything asked for, the alternatives
    honour all of it but one option (a colour asked for is the last to be given up).
    """
    current = product.get("variants", {}).get(current_item_id, {}).get("options", {})
    wanted = wanted or {}
    variants = [
        v
        for v in product.get("variants", {}).values()
        if v.get("available") and v["item_id"] != current_item_id
    ]
    chosen, offered, honoured = _match(variants, current, text, wanted)
    if chosen is None and "size" not in wanted:
        offered = _sized(offered, current.get("size"), text)
    return chosen, offered, honoured


def _match(
    variants: list[dict[str, Any]], current: dict[str, Any], text: str, wanted: dict[str, str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], dict[str, str]]:
    if wanted:
        fits = [v for v in variants if _has(v, wanted)]
        if len(fits) == 1 and any(str(current.get(k)) != v for k, v in wanted.items()):
            return fits[0], fits, wanted
        if fits:
            return None, fits, wanted
        kept = {key: value for key, value in wanted.items() if str(current.get(key)) == value}
        relaxable = sorted(
            (key for key in wanted if key not in kept), key=lambda key: key == "color"
        )
        for key in relaxable:
            honoured = {k: v for k, v in wanted.items() if k != key}
            near = [v for v in variants if _has(v, honoured)]
            if near:
                return None, near, honoured
        return None, [v for v in variants if _has(v, kept)], kept
    scored: list[tuple[int, dict[str, Any]]] = []
    for variant in variants:
        score = 0
        for key, value in variant.get("options", {}).items():
            if current.get(key) != value and _mentions(text, str(value)):
                score += 1
        scored.append((score, variant))
    best = max((score for score, _ in scored), default=0)
    top = [variant for score, variant in scored if score == best and best > 0]
    return (top[0] if len(top) == 1 else None), variants, {}


def original_payment_method(order: dict[str, Any]) -> str | None:
    """The payment method the order was paid with (its first payment transaction)."""
    for entry in order.get("payment_history", []):
        if entry.get("transaction_type") == "payment":
            return str(entry["payment_method_id"])
    return None


def choose_payment_method(
    user: dict[str, Any], entities: dict[str, Any], fallback: str | None
) -> str | None:
    """Resolve the payment method the customer named (id or kind) among their own."""
    methods: dict[str, Any] = user.get("payment_methods", {})
    for method_id in reversed(entities.get("payment_method_ids") or []):
        if method_id in methods:
            return str(method_id)
    for kind in reversed(entities.get("payment_kinds") or []):
        if kind == "original":
            return fallback
        for method_id, method in methods.items():
            if method.get("source") == kind:
                return str(method_id)
    return fallback
