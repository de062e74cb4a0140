"""Progress events that nodes write to the `custom` stream.

Every event is a dict with an `event` key, so any transport (terminal, SSE, WebSocket)
can render it without knowing which node sent it.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_stream_writer


def _emit(payload: dict[str, Any]) -> None:
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run (unit tests of helpers)
        return
    writer(payload)


def emit_status(text: str) -> None:
    """Tell the customer what is happening ("Looking up order #W1234567...")."""
    _emit({"event": "status", "text": text})


def emit_tool(name: str, phase: str, summary: str, ok: bool = True) -> None:
    """Report a tool starting (`phase="start"`) or finishing (`phase="end"`)."""
    _emit({"event": "tool", "name": name, "phase": phase, "summary": summary, "ok": ok})


def emit_token(text: str) -> None:
    """Stream a piece of a reply produced without a chat model (the grounded drafter)."""
    _emit({"event": "token", "text": text})
