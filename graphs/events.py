"""Progress events that nodes write to the `custom` stream.

Every event is a dict with an `event` key, so any transport (terminal, SSE, WebSocket)
can render it without knowing which node sent it. The dicts are built from the models
in `graphs.event_schema`, so a node cannot send a shape the clients do not expect.
"""

from __future__ import annotations

from typing import Literal

from langgraph.config import get_stream_writer
from pydantic import BaseModel

from graphs.event_schema import StatusEvent, TokenEvent, ToolEvent


def _emit(event: BaseModel) -> None:
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run (unit tests of helpers)
        return
    payload = event.model_dump()
    writer({"event": payload.pop("type"), **payload})


def emit_status(text: str) -> None:
    """Tell the customer what is happening ("Looking up order #W1234567...")."""
    _emit(StatusEvent(text=text))


def emit_tool(name: str, phase: Literal["start", "end"], summary: str, ok: bool = True) -> None:
    """Report a tool starting (`phase="start"`) or finishing (`phase="end"`)."""
    _emit(ToolEvent(name=name, phase=phase, summary=summary, ok=ok))


def emit_token(text: str) -> None:
    """Stream a piece of a reply produced without a chat model (the grounded drafter)."""
    _emit(TokenEvent(text=text))
