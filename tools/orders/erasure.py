"""What erasing a customer leaves of their orders: the accounting record, no personal data.

Orders are kept (amounts, items, status, fulfilment and payment history are needed for
accounting and tax), but every personal field is blanked: the order is moved from the
customer's id to a random pseudonym (not derived from the id, so it cannot be traced
back), the shipping address is emptied, and every payment method id (card, PayPal
account, gift card) is replaced by `ERASED`. The customer's own record (name, email,
address, payment methods) is deleted.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from tools.orders.store import JsonDict

ERASED = "[erased]"
"""The value a blanked personal field holds."""


def new_pseudonym() -> str:
    """A random id for the orders of an erased customer."""
    return f"erased_{secrets.token_hex(8)}"


def _blank(value: Any) -> Any:
    """Every payment method id and address in `value` (recursively) blanked."""
    if isinstance(value, dict):
        blanked: dict[str, Any] = {}
        for key, item in value.items():
            if key.endswith("payment_method_id"):
                blanked[key] = ERASED
            elif key == "address" and isinstance(item, dict):
                blanked[key] = dict.fromkeys(item, "")
            else:
                blanked[key] = _blank(item)
        return blanked
    if isinstance(value, list):
        return [_blank(item) for item in value]
    return value


def erased_order(order: JsonDict, pseudonym: str) -> JsonDict:
    """The order as kept after its customer is erased (the input is not changed)."""
    kept: JsonDict = _blank(copy.deepcopy(order))
    kept["user_id"] = pseudonym
    return kept
