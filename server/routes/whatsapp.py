"""WhatsApp Cloud API webhook: Meta's subscription handshake and signed message deliveries.

The POST answers 200 as soon as the signature and payload are checked and the messages are
queued for the shared channel inbox (Meta retries deliveries that are not answered quickly,
and the inbox ignores a message id it has seen).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import PlainTextResponse

from channels.queue.consumer import InboundSink
from channels.whatsapp.factory import WEBHOOK_KEY
from channels.whatsapp.payload import PayloadError
from channels.whatsapp.signature import SIGNATURE_HEADER
from channels.whatsapp.webhook import WhatsAppWebhook
from server.deps import RuntimeDep
from server.openapi_docs import problem_responses
from server.problems import ApiError
from server.runtime import ServerRuntime

router = APIRouter(prefix="/v1/channels/whatsapp", tags=["channels"])


def _webhook(runtime: ServerRuntime) -> tuple[WhatsAppWebhook, InboundSink]:
    channels = runtime.channels
    hook = channels.extras.get(WEBHOOK_KEY) if channels is not None else None
    if channels is None or not isinstance(hook, WhatsAppWebhook):
        raise ApiError(404, "channel_not_configured", "The WhatsApp channel is not configured.")
    return hook, channels.intake


@router.get("/webhook", response_class=PlainTextResponse, responses=problem_responses(403, 404))
async def verify_subscription(request: Request, runtime: RuntimeDep) -> PlainTextResponse:
    """Meta's subscription handshake: echo `hub.challenge` when `hub.verify_token` matches."""
    hook, _ = _webhook(runtime)
    challenge = hook.challenge(request.query_params)
    if challenge is None:
        raise ApiError(403, "bad_verify_token", "The verify token does not match.")
    return PlainTextResponse(challenge)


@router.post("/webhook", responses=problem_responses(400, 401, 404))
async def receive(
    request: Request,
    runtime: RuntimeDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> dict[str, int]:
    """A signed webhook delivery; its customer messages are answered on WhatsApp."""
    hook, intake = _webhook(runtime)
    body = await request.body()
    if not hook.verified(body, signature):
        raise ApiError(401, "bad_signature", f"Missing or wrong {SIGNATURE_HEADER}.")
    try:
        messages = hook.messages(body)
    except PayloadError as error:
        raise ApiError(400, "invalid_payload", str(error)) from None
    for message in messages:
        await intake.receive(message)
    return {"accepted": len(messages)}
