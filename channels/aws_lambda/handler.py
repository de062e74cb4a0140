"""The channel webhooks as one Lambda function: verify, normalise, queue on SQS, answer.

API Gateway routes the same paths the server serves (`/v1/channels/whatsapp/webhook`,
`/v1/channels/sms/webhook`, `/v1/channels/email/sns`) to `handler`. Each request is checked
with the code the server's routes use (Meta's `X-Hub-Signature-256`, Twilio's
`X-Twilio-Signature`, the SNS message signature), normalised by the channel's own webhook
code into `InboundMessage`s, and sent to the SQS queue (`TANDEM_INBOUND_QUEUE_URL`) that the
ECS service consumes. The provider gets its answer only after the message is queued; when
SQS cannot take it the answer is 503, so the provider delivers it again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from channels.aws_lambda.events import (
    HttpRequest,
    RequestError,
    json_response,
    parse_event,
    problem_response,
    response,
)
from channels.email.ses_receipt import SesReceiver
from channels.email.sns import SnsError, parse_message
from channels.queue.sqs import SqsSink
from channels.sms.twilio_webhook import SIGNATURE_HEADER as TWILIO_SIGNATURE
from channels.sms.twilio_webhook import SmsPayloadError
from channels.sms.webhook import SmsWebhook
from channels.whatsapp.payload import PayloadError
from channels.whatsapp.signature import SIGNATURE_HEADER as META_SIGNATURE
from channels.whatsapp.webhook import WhatsAppWebhook

logger = logging.getLogger("tandem.channels.lambda")

WHATSAPP_PATH = "/v1/channels/whatsapp/webhook"
SMS_PATH = "/v1/channels/sms/webhook"
EMAIL_PATH = "/v1/channels/email/sns"
FORM = "application/x-www-form-urlencoded"


def _not_configured(channel: str) -> RequestError:
    return RequestError(404, "channel_not_configured", f"The {channel} channel is not configured.")


@dataclass
class ChannelWebhooks:
    """The configured channels' webhooks, queuing what they accept on SQS."""

    sink: SqsSink
    whatsapp: WhatsAppWebhook | None = None
    sms: SmsWebhook | None = None
    email: SesReceiver | None = None

    async def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """Answer one API Gateway event."""
        try:
            request = parse_event(event)
            route = _ROUTES.get((request.method, request.path))
            if route is None:
                raise RequestError(404, "not_found", "No webhook at this path and method.")
            return await route(self, request)
        except RequestError as error:
            return problem_response(error)

    async def _queue(self, messages: list[Any]) -> None:
        try:
            for message in messages:
                await self.sink.receive(message)
        except Exception:
            logger.exception("inbound message not queued")
            raise RequestError(503, "queue_unavailable", "Try the delivery again.") from None

    async def whatsapp_challenge(self, request: HttpRequest) -> dict[str, Any]:
        """Meta's subscription handshake."""
        if self.whatsapp is None:
            raise _not_configured("WhatsApp")
        challenge = self.whatsapp.challenge(request.query)
        if challenge is None:
            raise RequestError(403, "bad_verify_token", "The verify token does not match.")
        return response(200, challenge, "text/plain; charset=utf-8")

    async def whatsapp_delivery(self, request: HttpRequest) -> dict[str, Any]:
        """A signed WhatsApp delivery: its customer messages are queued."""
        if self.whatsapp is None:
            raise _not_configured("WhatsApp")
        if not self.whatsapp.verified(request.body, request.header(META_SIGNATURE)):
            raise RequestError(401, "bad_signature", f"Missing or wrong {META_SIGNATURE}.")
        try:
            messages = self.whatsapp.messages(request.body)
        except PayloadError as error:
            raise RequestError(400, "invalid_payload", str(error)) from None
        await self._queue(messages)
        return json_response({"accepted": len(messages)})

    async def sms_message(self, request: HttpRequest) -> dict[str, Any]:
        """A signed incoming SMS: keywords answered in TwiML, other messages queued."""
        if self.sms is None:
            raise _not_configured("SMS")
        form = _form(request)
        if not self.sms.verified(request.url, form, request.header(TWILIO_SIGNATURE)):
            raise RequestError(401, "bad_signature", f"Missing or wrong {TWILIO_SIGNATURE}.")
        try:
            outcome = await asyncio.to_thread(self.sms.handle, form)
        except SmsPayloadError as error:
            raise RequestError(400, "invalid_payload", str(error)) from None
        if outcome.message is not None:
            await self._queue([outcome.message])
        return response(200, outcome.twiml, "application/xml")

    async def email_notification(self, request: HttpRequest) -> dict[str, Any]:
        """An SNS delivery of SES: the mail is read, normalised and queued."""
        if self.email is None:
            raise _not_configured("email")
        try:
            message = parse_message(request.body)
            await self.email.verifier.verify(message)
        except SnsError as error:
            status = 400 if error.code == "invalid_sns_message" else 403
            raise RequestError(status, error.code, error.detail) from None
        if not self.email.accepts_topic(message["TopicArn"]):
            raise RequestError(403, "unknown_topic", "Notifications from this topic are refused.")
        outcome = await self.email.handle(message)
        if outcome == "failed":  # SNS delivers it again on a 5xx
            raise RequestError(503, "queue_unavailable", "The notification was not taken.")
        return json_response({"accepted": message["MessageId"], "outcome": outcome})


Route = Callable[[ChannelWebhooks, HttpRequest], Awaitable[dict[str, Any]]]
_ROUTES: dict[tuple[str, str], Route] = {
    ("GET", WHATSAPP_PATH): ChannelWebhooks.whatsapp_challenge,
    ("POST", WHATSAPP_PATH): ChannelWebhooks.whatsapp_delivery,
    ("POST", SMS_PATH): ChannelWebhooks.sms_message,
    ("POST", EMAIL_PATH): ChannelWebhooks.email_notification,
}


def _form(request: HttpRequest) -> dict[str, str]:
    """Twilio's form fields (`application/x-www-form-urlencoded`)."""
    if (request.header("content-type") or "").split(";")[0].strip() != FORM:
        raise RequestError(400, "invalid_payload", f"Expected a {FORM} Twilio webhook.")
    try:
        body = request.body.decode()
        return dict(parse_qsl(body, keep_blank_values=True, strict_parsing=bool(body)))
    except ValueError:  # undecodable bytes or a malformed query string
        raise RequestError(400, "invalid_payload", "The form body could not be parsed.") from None


@functools.cache
def _webhooks() -> ChannelWebhooks:
    """The function's webhooks, built once per Lambda execution environment."""
    from channels.aws_lambda.setup import webhooks_from_settings
    from config.settings import get_settings

    return webhooks_from_settings(get_settings())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point (`channels.aws_lambda.handler.handler`)."""
    return asyncio.run(_webhooks().handle(event))
