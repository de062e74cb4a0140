"""Who the customer is: the channel's authenticated id, or the email / name + zip they wrote.

The guard node resolves an identity the customer offers from their raw words, before the
message is redacted, so the email or name and zip reach the identity tools but are never
stored in the transcript or sent to a model; later nodes read the outcome from the state.
"""

from __future__ import annotations

from typing import Any

from graphs.context import Context
from graphs.services import Services
from graphs.state import Customer
from tools.orders.store import OrderToolError


def offers_identity(entities: dict[str, Any]) -> bool:
    """Whether the extracted entities hold an email, or a first and last name with a zip."""
    name_zip = entities.get("first_name") and entities.get("last_name")
    return bool(entities.get("emails")) or bool(name_zip and entities.get("zip_codes"))


def identify(
    services: Services, context: Context, current: Customer | None, entities: dict[str, Any]
) -> tuple[Customer | None, str | None]:
    """Identify the customer: authenticated id first, then email, then name + zip.

    Returns the customer (or None) and a notice when an identity was offered but not found.
    """
    orders = services.orders
    if context.customer_id:
        if current and current["user_id"] == context.customer_id:
            return current, None
        try:
            user = orders.get_user_details(context.customer_id)
        except OrderToolError:
            return None, "identity_not_found"
        return customer_record(context.customer_id, user, "auth"), None
    if current:
        return current, None
    emails = entities.get("emails") or []
    if emails:
        try:
            user_id = orders.find_user_id_by_email(emails[-1])
            return customer_record(user_id, orders.get_user_details(user_id), "email"), None
        except OrderToolError:
            return None, "identity_not_found"
    first, last = entities.get("first_name"), entities.get("last_name")
    zips = entities.get("zip_codes") or []
    if first and last and zips:
        try:
            user_id = orders.find_user_id_by_name_zip(first, last, zips[-1])
            user = orders.get_user_details(user_id)
            return customer_record(user_id, user, "name_zip"), None
        except OrderToolError:
            return None, "identity_not_found"
    return None, None


def customer_record(user_id: str, user: dict[str, Any], how: str) -> Customer:
    """The `Customer` record for an identified user."""
    name = user.get("name", {})
    full = f"{name.get('first_name', '')} {name.get('last_name', '')}".strip()
    return {"user_id": user_id, "name": full or user_id, "verified_by": how}  # type: ignore[typeddict-item]
