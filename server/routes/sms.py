"""Twilio incoming-SMS webhook: signed form posts answered with TwiML.

The response comes at once (HELP's text, or an empty TwiML document) once the message is
queued for the shared channel inbox; the reply is sent through Twilio's REST API.
"""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from channels.queue.consumer import InboundSink
from channels.sms.factory import WEBHOOK_KEY
from channels.sms.twilio_webhook import SIGNATURE_HEADER, SmsPayloadError
from channels.sms.webhook import SmsWebhook
from server.deps import RuntimeDep
from server.openapi_docs import problem_responses
from server.problems import ApiError
from server.runtime import ServerRuntime

router = APIRouter(prefix="/v1/channels/sms", tags=["channels"])

TWIML = "application/xml"
FORM = "application/x-www-form-urlencoded"


def _webhook(runtime: ServerRuntime) -> tuple[SmsWebhook, InboundSink]:
    channels = runtime.channels
    hook = channels.extras.get(WEBHOOK_KEY) if channels is not None else None
    if channels is None or not isinstance(hook, SmsWebhook):
        raise ApiError(404, "channel_not_configured", "The SMS channel is not configured.")
    return hook, channels.intake


async def _form(request: Request) -> dict[str, str]:
    """The webhook's form fields (Twilio posts `application/x-www-form-urlencoded`)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM:
        raise ApiError(400, "invalid_payload", f"Expected a {FORM} Twilio webhook.")
    try:
        body = (await request.body()).decode()
        return dict(parse_qsl(body, keep_blank_values=True, strict_parsing=bool(body)))
    except ValueError:  # undecodable bytes or a malformed query string
        raise ApiError(400, "invalid_payload", "The form body could not be parsed.") from None


@router.post(
    "/webhook",
    response_class=Response,
    responses={
        200: {"description": "TwiML", "content": {TWIML: {"schema": {"type": "string"}}}},
        **problem_responses(400, 401, 404),
    },
)
async def receive(
    request: Request,
    runtime: RuntimeDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> Response:
    """A signed incoming SMS: keywords answered here, other messages by the bot."""
    hook, intake = _webhook(runtime)
    form = await _form(request)
    if not hook.verified(str(request.url), form, signature):
        raise ApiError(401, "bad_signature", f"Missing or wrong {SIGNATURE_HEADER}.")
    try:
        outcome = await asyncio.to_thread(hook.handle, form)
    except SmsPayloadError as error:
        raise ApiError(400, "invalid_payload", str(error)) from None
    if outcome.message is not None:
        await intake.receive(outcome.message)
    return Response(outcome.twiml, media_type=TWIML)
