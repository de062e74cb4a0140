"""Meta's WhatsApp Cloud API webhook payload: the customer messages in one delivery.

A delivery is ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
"messages", "value": {...}}]}]}``. A value holds either `messages` (what customers sent:
text, a tap on an interactive reply button, a quick-reply template button) or `statuses`
(sent / delivered / read receipts of our own messages), which carry no customer input and
are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class PayloadError(ValueError):
    """The body is not a WhatsApp Cloud API webhook delivery."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Text(_Model):
    body: str


class _ButtonReply(_Model):
    id: str
    title: str = ""


class _Interactive(_Model):
    type: str
    button_reply: _ButtonReply | None = None
    list_reply: _ButtonReply | None = None


class _TemplateButton(_Model):
    text: str = ""
    payload: str = ""


class _Message(_Model):
    id: str
    from_: str = Field(alias="from")
    timestamp: str = "0"
    type: str
    text: _Text | None = None
    interactive: _Interactive | None = None
    button: _TemplateButton | None = None


class _Profile(_Model):
    name: str = ""


class _Contact(_Model):
    wa_id: str
    profile: _Profile = _Profile()


class _Metadata(_Model):
    phone_number_id: str = ""
    display_phone_number: str = ""


class _Value(_Model):
    messaging_product: str = "whatsapp"
    metadata: _Metadata = _Metadata()
    contacts: list[_Contact] = []
    messages: list[_Message] = []


class _Change(_Model):
    field: str
    value: _Value


class _Entry(_Model):
    id: str = ""
    changes: list[_Change] = []


class _Delivery(_Model):
    object: str
    entry: list[_Entry]


@dataclass(frozen=True)
class WhatsAppMessage:
    """One customer message from a webhook delivery, normalised.

    `text` is what the customer wrote, or the title of the button they tapped; `reply_id`
    is the tapped button's id (None for typed text).
    """

    message_id: str
    sender: str
    """The customer's WhatsApp id (their phone number in international form, no `+`)."""
    text: str
    timestamp: int
    phone_number_id: str
    """The business number the message was sent to."""
    profile_name: str = ""
    reply_id: str | None = None


def _normalise(message: _Message, value: _Value) -> WhatsAppMessage | None:
    text, reply_id = "", None
    if message.type == "text" and message.text is not None:
        text = message.text.body
    elif message.type == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is None:
            return None
        text, reply_id = reply.title, reply.id
    elif message.type == "button" and message.button is not None:
        text, reply_id = message.button.text, message.button.payload or None
    else:
        return None  # media, reactions, locations...: not supported, nothing to answer
    names = {contact.wa_id: contact.profile.name for contact in value.contacts}
    return WhatsAppMessage(
        message_id=message.id,
        sender=message.from_,
        text=text,
        timestamp=int(message.timestamp) if message.timestamp.isdigit() else 0,
        phone_number_id=value.metadata.phone_number_id,
        profile_name=names.get(message.from_, ""),
        reply_id=reply_id,
    )


def parse_delivery(data: Any) -> list[WhatsAppMessage]:
    """The customer messages of a webhook delivery (statuses and unsupported types skipped).

    Raises `PayloadError` when `data` is not a WhatsApp Business Account delivery.
    """
    try:
        delivery = _Delivery.model_validate(data)
    except ValidationError as error:
        raise PayloadError(f"not a WhatsApp webhook delivery: {error.errors()[0]['msg']}") from None
    if delivery.object != "whatsapp_business_account":
        raise PayloadError(f"unexpected webhook object {delivery.object!r}")
    messages: list[WhatsAppMessage] = []
    for entry in delivery.entry:
        for change in entry.changes:
            if change.field != "messages":
                continue
            for message in change.value.messages:
                normalised = _normalise(message, change.value)
                if normalised is not None:
                    messages.append(normalised)
    return messages
