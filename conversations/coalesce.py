"""Token coalescing: the reply's pieces go out as one event per short window, not per token.

A chat model streams a token every few milliseconds, and every event costs the server its
numbering, its place in the memory window, a wake-up of every follower and an SSE frame.
`coalesce_tokens` joins the `token` events that arrive within `window` seconds of the first
one still waiting into a single `token` event with their text concatenated: the client sees
the same text, in fewer, larger pieces. The first token of the stream, and the first after
any other event, goes out at once (the customer sees the reply start without delay); later
ones are held at most `window`. Any other event sends the waiting text first, so the order of
events never changes.

`window` may be a function, asked again for each run of tokens it holds: the runner widens
the window while the server is saturated (see `TurnRunner`), when every event saved is CPU
given back to the turns waiting to start.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

TOKEN_WINDOW_SECONDS = 0.025
"""How long the first waiting token may be held for more to join it."""

_END = object()


async def _pump(events: AsyncIterator[dict[str, Any]], queue: asyncio.Queue[Any]) -> None:
    """Move every event into `queue`, then the end marker (or the error that ended them)."""
    try:
        async for event in events:
            queue.put_nowait(event)
    except Exception as error:  # handed to the consumer, which raises it in order
        queue.put_nowait(error)
    else:
        queue.put_nowait(_END)


def _joined(texts: list[str]) -> dict[str, Any]:
    return {"type": "token", "text": "".join(texts)}


async def coalesce_tokens(
    events: AsyncIterator[dict[str, Any]],
    window: float | Callable[[], float] = TOKEN_WINDOW_SECONDS,
) -> AsyncIterator[dict[str, Any]]:
    """Yield `events` with runs of `token` events joined per `window` seconds (0: unchanged).

    A function `window` is called each time a token starts a new run to hold.
    """
    if not callable(window) and window <= 0:
        async for event in events:
            yield event
        return
    window_now = window if callable(window) else lambda: window
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    producer = asyncio.create_task(_pump(events, queue))
    texts: list[str] = []
    deadline = 0.0
    starts_reply = True  # the next token begins a reply (or resumes one after another event)
    try:
        while True:
            if texts:
                try:
                    async with asyncio.timeout_at(deadline):
                        item = await queue.get()
                except TimeoutError:
                    yield _joined(texts)
                    texts = []
                    continue
            else:
                item = await queue.get()
            if isinstance(item, dict) and item.get("type") == "token":
                if starts_reply:
                    starts_reply = False
                    yield item
                    continue
                if not texts:
                    held = window_now()
                    if held <= 0:
                        yield item
                        continue
                    deadline = loop.time() + held
                texts.append(item["text"])
                continue
            if texts:
                yield _joined(texts)
                texts = []
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            starts_reply = True
            yield item
    finally:
        if not producer.done():
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer
