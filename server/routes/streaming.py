"""Server-Sent Events helpers shared by the conversation and queue routes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from server.problems import ApiError

PING_SECONDS = 15


def resume_cursor(request: Request, after: int | None) -> int | None:
    """The event id a client resumes after: `Last-Event-ID` header or `after` parameter."""
    header = request.headers.get("last-event-id")
    if header is not None:
        if not header.strip().isdigit():
            raise ApiError(400, "bad_last_event_id", "Last-Event-ID must be an event number.")
        return int(header)
    return after


def encode_events(batch: list[tuple[int, dict[str, Any]]]) -> bytes:
    """SSE frames for `(seq, event)` pairs: `event:` = type, `id:` = seq, JSON `data:`."""
    return b"".join(
        ServerSentEvent(
            data=json.dumps(event, default=str), event=event["type"], id=str(seq)
        ).encode()
        for seq, event in batch
    )


def sse_batch_response(
    batches: AsyncIterator[list[tuple[int, dict[str, Any]]]],
) -> EventSourceResponse:
    """Stream batches of `(seq, event)` pairs as SSE, one write per batch."""

    async def frames() -> AsyncIterator[bytes]:
        async for batch in batches:
            yield encode_events(batch)

    return EventSourceResponse(frames(), ping=PING_SECONDS, headers={"Cache-Control": "no-store"})


def sse_response(events: AsyncIterator[tuple[int, dict[str, Any]]]) -> EventSourceResponse:
    """Stream `(seq, event)` pairs as SSE, one write per event."""

    async def batches() -> AsyncIterator[list[tuple[int, dict[str, Any]]]]:
        async for item in events:
            yield [item]

    return sse_batch_response(batches())
