"""Progress events that nodes write to the `custom` stream.

Every event is a dict with an `event` key, so any transport (terminal, SSE, WebSocket)
can render it without knowing which node sent it. The dicts are built from the models
in `graphs.event_schema`, so a node cannot send a shape the clients do not expect.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from langgraph.config import get_stream_writer
from pydantic import BaseModel

from graphs.event_schema import (
    OrderCardItem,
    OrderCardShape,
    StatusEvent,
    TokenEvent,
    ToolEvent,
)


def _emit(event: BaseModel) -> None:
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run (unit tests of helpers)
        return
    payload = event.model_dump(exclude_none=True)
    writer({"event": payload.pop("type"), **payload})


def emit_status(text: str) -> None:
    """Tell the customer what is happening ("Looking up order #W1234567...")."""
    _emit(StatusEvent(text=text))


def emit_tool(
    name: str,
    phase: Literal["start", "end"],
    summary: str,
    ok: bool = True,
    order: OrderCardShape | None = None,
) -> None:
    """Report a tool starting (`phase="start"`) or finishing (`phase="end"`).

    `order`: the order the call returned, as its card shows it (see `order_card`).
    """
    _emit(ToolEvent(name=name, phase=phase, summary=summary, ok=ok, order=order))


def order_card(output: Any) -> OrderCardShape | None:
    """The card of an order a tool returned (a record or its JSON); None for anything else."""
    if isinstance(output, str):
        try:
            output = json.loads(output)
        except ValueError:
            return None
    if not isinstance(output, dict) or not {"order_id", "status", "items"} <= output.keys():
        return None
    try:
        items = [
            OrderCardItem(name=str(item["name"]), price=float(item["price"]))
            for item in output["items"]
        ]
    except (KeyError, TypeError, ValueError):
        return None
    address = output.get("address")
    if not isinstance(address, dict):
        address = {}
    return OrderCardShape(
        order_id=str(output["order_id"]),
        status=str(output["status"]),
        items=items,
        city=str(address["city"]) if address.get("city") else None,
        state=str(address["state"]) if address.get("state") else None,
    )


def emit_token(text: str) -> None:
    """Stream a piece of a reply produced without a chat model (the grounded drafter)."""
    _emit(TokenEvent(text=text))
