"""Email channel webhooks: Amazon SNS notifications of mail SES received."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from channels.email.ses_receipt import SesReceiver
from channels.email.sns import SnsError, parse_message
from server.deps import RuntimeDep
from server.openapi_docs import problem_responses
from server.problems import ApiError
from server.runtime import ServerRuntime

router = APIRouter(prefix="/v1/channels/email", tags=["channels"])

_tasks: set[asyncio.Task[str]] = set()

_SNS_MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An SNS HTTP(S) delivery: JSON, whatever the Content-Type (SNS sends "
    "text/plain).",
    "required": [
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ],
    "properties": {
        "Type": {"enum": ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]},
        "MessageId": {"type": "string"},
        "TopicArn": {"type": "string"},
        "Subject": {"type": "string"},
        "Message": {"type": "string"},
        "Timestamp": {"type": "string"},
        "SignatureVersion": {"enum": ["1", "2"]},
        "Signature": {"type": "string"},
        "SigningCertURL": {"type": "string"},
        "SubscribeURL": {"type": "string"},
        "Token": {"type": "string"},
    },
}
_SNS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _SNS_MESSAGE_SCHEMA},
        },
    }
}


def _receiver(runtime: ServerRuntime) -> SesReceiver:
    receiver = runtime.channels.extras.get("email_sns") if runtime.channels else None
    if not isinstance(receiver, SesReceiver):
        raise ApiError(404, "channel_not_configured", "The email channel is off.")
    return receiver


@router.post("/sns", responses=problem_responses(400, 403, 404), openapi_extra=_SNS_BODY)
async def sns_notification(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """An SNS delivery (subscription confirmation or SES receipt notification).

    The signature is verified before anything else; the message is then handled after the
    response, so SNS never waits for a turn.
    """
    receiver = _receiver(runtime)
    body = await request.body()
    try:
        message = parse_message(body)
        await receiver.verifier.verify(message)
    except SnsError as error:
        status = 400 if error.code == "invalid_sns_message" else 403
        raise ApiError(status, error.code, error.detail) from None
    if not receiver.accepts_topic(message["TopicArn"]):
        raise ApiError(403, "unknown_topic", "Notifications from this topic are not accepted.")
    task = asyncio.create_task(receiver.handle(message))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return {"accepted": message["MessageId"], "type": message["Type"]}
