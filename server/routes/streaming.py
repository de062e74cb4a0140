"""Server-Sent Events helpers shared by the conversation and queue routes."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from server.problems import ApiError

PING_SECONDS = 15

MAX_EVENT_ID = 2**63 - 1
"""The largest event id: ids are stored as signed 64-bit integers."""

# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_EVENT_ID = re.compile(r"[0-9]{1,19}")


def parse_event_id(text: str) -> int | None:
    """The event id written in `text` (ASCII digits, at most `MAX_EVENT_ID`), else None."""
    value = text.strip()
    if not _EVENT_ID.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_EVENT_ID else None


def resume_cursor(request: Request, after: int | None) -> int | None:
    """The event id a client resumes after: `Last-Event-ID` header or `after` parameter."""
    header = request.headers.get("last-event-id")
    if header is not None:
        cursor = parse_event_id(header)
        if cursor is None:
            raise ApiError(
                400,
                "bad_last_event_id",
                f"Last-Event-ID must be an event number from 0 to {MAX_EVENT_ID}.",
            )
        return cursor
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
