"""Twilio's incoming-SMS webhook: signature validation and the form fields it posts.

Twilio POSTs ``application/x-www-form-urlencoded`` fields (`MessageSid`, `AccountSid`,
`From`, `To`, `Body`, `NumMedia`, ...) and signs them in ``X-Twilio-Signature``: HMAC-SHA1,
keyed with the account's auth token, over the full webhook URL followed by every field
name and value in name order. The official library's `RequestValidator` checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"
"""The header carrying Twilio's request signature."""


class SmsPayloadError(ValueError):
    """The form is not a Twilio incoming-message webhook."""


@dataclass(frozen=True)
class SmsMessage:
    """One incoming SMS, normalised."""

    message_sid: str
    account_sid: str
    sender: str
    """The customer's number in E.164 form (``+15551234567``)."""
    to: str
    body: str


def verify_signature(
    auth_token: str, url: str, form: Mapping[str, str], signature: str | None
) -> bool:
    """Whether `signature` is Twilio's signature of the webhook `url` and `form` fields."""
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(form), signature))


def parse_form(form: Mapping[str, str]) -> SmsMessage:
    """The incoming message in Twilio's webhook fields; `SmsPayloadError` if some are missing."""
    missing = [name for name in ("MessageSid", "From", "To") if not form.get(name)]
    if missing:
        raise SmsPayloadError(f"missing Twilio webhook field(s): {', '.join(missing)}")
    return SmsMessage(
        message_sid=form["MessageSid"],
        account_sid=form.get("AccountSid", ""),
        sender=form["From"],
        to=form["To"],
        body=form.get("Body", ""),
    )
