"""Who wrote: map a channel's sender to a customer, trusting no more than the channel proves.

An email sender counts only when the channel verified it (SES's SPF/DKIM verdicts, or the
embedded server's own loopback relay); a phone number counts when the order data has a user
with that number. Anyone else is a guest who identifies in the conversation (email or
name + zip), exactly like an anonymous web visitor.
"""

from __future__ import annotations

from typing import Protocol

from channels.base import InboundMessage
from tools.orders.store import OrderToolError


class UserDirectory(Protocol):
    """The part of the order store that finds users by what a channel knows about them."""

    def find_user_id_by_email(self, email: str) -> str:
        """The id of the user with this email; raises `OrderToolError` when none."""
        ...


def customer_for(message: InboundMessage, users: UserDirectory) -> str | None:
    """The customer id the sender is proven to be, or None (identify in the conversation)."""
    if not message.verified or not message.sender:
        return None
    try:
        if "@" in message.sender:
            return users.find_user_id_by_email(message.sender.lower())
        by_phone = getattr(users, "find_user_id_by_phone", None)
        return str(by_phone(message.sender)) if by_phone is not None else None
    except OrderToolError:
        return None
