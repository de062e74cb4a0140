"""The inbound side of SMS: check Twilio's webhook, honour keywords, build inbound messages.

Keywords are answered at once in the webhook's TwiML response: HELP with the help text,
an opt-out keyword records the opt-out (Twilio itself confirms it to the customer and
blocks later messages), an opt-in keyword from an opted-out number lifts it. Messages from
an opted-out number start no turn. Anything else goes to the shared inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twilio.twiml.messaging_response import MessagingResponse

from channels.base import InboundMessage
from channels.sms.keywords import keyword
from channels.sms.twilio_webhook import SmsMessage, parse_form, verify_signature
from conversations.opt_outs import OptOuts


@dataclass(frozen=True)
class SmsOutcome:
    """What to do with one incoming SMS: a message for the inbox (or None) and the TwiML."""

    message: InboundMessage | None
    twiml: str
    action: str
    """`message`, `help`, `opt_out`, `opt_in` or `ignored_opted_out`."""


def _twiml(text: str | None = None) -> str:
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)


@dataclass(frozen=True)
class SmsWebhook:
    """Twilio's incoming-message webhook for one account."""

    auth_token: str
    account_sid: str
    opt_outs: OptOuts
    help_text: str
    public_url: str | None = None
    """The URL Twilio is configured to call (when a proxy changes what the server sees)."""

    def verified(self, url: str, form: Mapping[str, str], signature: str | None) -> bool:
        """Whether the request carries Twilio's signature with this account's token."""
        return verify_signature(self.auth_token, self.public_url or url, form, signature)

    def handle(self, form: Mapping[str, str]) -> SmsOutcome:
        """Decide what an incoming SMS does (raises `SmsPayloadError` for a bad form)."""
        sms = parse_form(form)
        word = keyword(sms.body)
        opted_out = self.opt_outs.is_opted_out(sms.sender)
        if word == "opt_out":
            self.opt_outs.opt_out(sms.sender)
            return SmsOutcome(None, _twiml(), "opt_out")
        if word == "help":
            return SmsOutcome(None, _twiml(self.help_text), "help")
        if word == "opt_in" and opted_out:
            self.opt_outs.opt_in(sms.sender)
            return SmsOutcome(None, _twiml(), "opt_in")
        if opted_out:
            return SmsOutcome(None, _twiml(), "ignored_opted_out")
        return SmsOutcome(inbound(sms), _twiml(), "message")


def inbound(sms: SmsMessage) -> InboundMessage:
    """An SMS as the shared inbox takes it; Twilio vouches for the sending number."""
    return InboundMessage(
        channel="sms",
        provider_message_id=sms.message_sid,
        sender=sms.sender,
        text=sms.body,
        verified=True,
    )
