"""ASGI middleware: request ids with access logs, and a request-body size limit.

Every response also carries ``Server-Timing: app;dur=MS``, the milliseconds from the request
reaching the application to its response starting. On a streamed turn the first event
follows the response start, so it is the server's share of the wait for the first event,
without the network or the client (browsers show it in their developer tools).

Both are plain ASGI (not `BaseHTTPMiddleware`) so streaming responses pass through untouched.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conversations import instruments
from server.logs import conversation_id_var, request_id_var
from server.problems import ApiError
from server.telemetry import annotate_request, detach_request

logger = logging.getLogger("tandem.access")

_CONVERSATION = re.compile(r"/v1/(?:conversations|queue)/([A-Za-z0-9_-]+)")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Give every request an id (from `X-Request-ID` or new), log it as one JSON line.

    Also adds the `Server-Timing` header (see the module docstring).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        match = _CONVERSATION.search(scope.get("path", ""))
        request_token = request_id_var.set(request_id)
        conversation_token = conversation_id_var.set(match.group(1) if match else None)
        scope.setdefault("state", {})["request_id"] = request_id
        trace_token = annotate_request(request_id, match.group(1) if match else None)
        started = time.perf_counter()
        status: dict[str, int] = {}
        first_event = scope.get("method") == "POST" and scope.get("path", "").endswith("/messages")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                waited = (time.perf_counter() - started) * 1000
                if first_event:
                    instruments.FIRST_EVENT_SECONDS.observe(waited / 1000)
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                    (b"server-timing", f"app;dur={waited:.2f}".encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "request",
                extra={
                    "method": scope.get("method", "WS"),
                    "path": scope.get("path"),
                    "status": status.get("code"),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(request_token)
            conversation_id_var.reset(conversation_token)
            detach_request(trace_token)


UPLOAD_PATH = re.compile(r"^/v1/conversations/[^/]+/attachments$")
"""File uploads: their bodies may reach the attachment limit instead of `max_bytes`."""

UPLOAD_OVERHEAD_BYTES = 16 * 1024
"""Room for the multipart framing around an uploaded file."""


class BodyLimitMiddleware:
    """Refuse request bodies larger than `max_bytes` with 413 and a problem body.

    Uploads (`UPLOAD_PATH`) may be as large as `upload_max_bytes`; the route checks the
    file itself against the attachment limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if scope.get("method") == "POST" and UPLOAD_PATH.match(scope.get("path", "")):
            limit = self.upload_max_bytes
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._reject(scope, send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(scope, send, limit)

    async def _reject(self, scope: Scope, send: Send, limit: int) -> None:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"Request bodies are limited to {limit} bytes.",
            "code": "body_too_large",
            "request_id": scope.get("state", {}).get("request_id"),
        }
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class _TooLarge(ApiError):
    """Raised inside the app when a streamed (chunked) body passes the limit.

    An HTTP exception, so FastAPI's body parsing passes it on as the 413 it is instead of
    wrapping it in a 400 "error parsing the body".
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, "body_too_large", f"Request bodies are limited to {max_bytes} bytes.")
