"""The conversation over one WebSocket: customer messages in, the same typed events out.

Authenticate with `?access_token=JWT` (browsers cannot set headers on WebSockets). Send
`{"type": "message", "text": "...", "attachments": [ids]}` (attachments optional);
receive `{"id": N, "type": ..., ...}` events, the same as the SSE stream. Reconnect with
`?after=N` to receive what was missed.

Close codes: 4401 bad token, 4403 role, 4404/4400 as the HTTP problems, 4400 `bad_after`
for an `after` that is not an event number, 1007 `invalid_json` for a frame that is not
JSON text. Idle sockets are closed by the server's ping timeout (`ws_ping_*` settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from conversations.runner import ConversationBusy
from server.auth.verifier import AuthError
from server.problems import ApiError
from server.routes.attachments import attached_refs
from server.routes.client_messages import accepted_once
from server.routes.streaming import parse_event_id
from server.runtime import ServerRuntime
from server.schemas import PostMessage

router = APIRouter()

MESSAGE_KEYS = ("text", "client_message_id", "attachments")
"""The fields of a `message` frame (the rest, such as `type`, are ignored)."""


async def _pump(
    websocket: WebSocket, runtime: ServerRuntime, conversation_id: str, cursor: int
) -> None:
    async for seq, event in runtime.hub.follow(conversation_id, cursor, until_done=False):
        await websocket.send_json({"id": seq, **event})


_CLOSED = object()
"""What `_receive_json` returns after closing the socket over a bad frame."""


async def _receive_json(websocket: WebSocket) -> Any:
    """The next frame as JSON; a binary or non-JSON frame closes the socket (1003 / 1007)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text = message.get("text")
    if text is None:
        await websocket.close(code=1003, reason="text_frames_only")
        return _CLOSED
    try:
        return json.loads(text)
    except ValueError:
        await websocket.close(code=1007, reason="invalid_json")
        return _CLOSED


@router.websocket("/v1/conversations/{conversation_id}/ws")
async def conversation_socket(websocket: WebSocket, conversation_id: str) -> None:
    """Carry one conversation both ways over a WebSocket."""
    from server.deps import conversation_for

    runtime: ServerRuntime = websocket.app.state.runtime
    token = websocket.query_params.get("access_token", "")
    try:
        principal = websocket.app.state.verifier.verify(token)
        conversation = conversation_for(runtime, conversation_id, principal)
    except AuthError as error:
        await websocket.close(code=4401, reason=error.code)
        return
    except ApiError as error:
        detail: Any = error.detail
        await websocket.close(code=4000 + error.status_code, reason=str(detail.get("code", "")))
        return
    if principal.role != "customer" and not principal.is_admin:
        await websocket.close(code=4403, reason="forbidden_role")
        return
    after = websocket.query_params.get("after")
    cursor = runtime.hub.cursor(conversation_id) if after is None else parse_event_id(after)
    if cursor is None:
        await websocket.close(code=4400, reason="bad_after")
        return
    await websocket.accept()
    pump = asyncio.create_task(_pump(websocket, runtime, conversation_id, cursor))
    context = runtime.context_for(conversation["customer_id"])
    try:
        while True:
            incoming = await _receive_json(websocket)
            if incoming is _CLOSED:
                return
            try:
                body = PostMessage.model_validate(
                    {key: incoming[key] for key in MESSAGE_KEYS if key in incoming}
                    if isinstance(incoming, dict)
                    else {}
                )
            except ValidationError as error:
                first = error.errors()[0]
                await websocket.send_json(
                    {"type": "error", "code": "invalid_request", "detail": first["msg"]}
                )
                continue
            if runtime.limiter.check(principal.sub):
                await websocket.send_json({"type": "error", "code": "rate_limited"})
                continue
            try:
                refs = await attached_refs(runtime, conversation_id, body.attachments)
                with accepted_once(runtime, conversation_id, body.client_message_id) as fresh:
                    if not fresh:
                        await websocket.send_json({"type": "error", "code": "duplicate_message"})
                        continue
                    await runtime.runner.start_customer_turn(
                        conversation_id, body.text, conversation["channel"], context, refs
                    )
            except ApiError as error:
                detail = error.detail if isinstance(error.detail, dict) else {}
                await websocket.send_json({"type": "error", **detail})
            except ConversationBusy:
                await websocket.send_json({"type": "error", "code": "turn_in_progress"})
    except WebSocketDisconnect:
        pass
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
