"""A turn's span: the parent of its graph's node, model, tool and store spans.

With tracing on (a `Tracer` from the composition root), `turn_span` opens a `turn` span
as the current span (so log lines carry its trace id) with the conversation id, the turn's
kind and the request id the HTTP layer put in the context's baggage, and hands the turn
the callback handler that traces its graph. Off, it costs nothing and adds no callbacks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import baggage
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from graphs.tracing import GraphTracer

REQUEST_ID_BAGGAGE = "tandem.request_id"
"""The baggage key the HTTP layer puts the request id under."""


@dataclass
class TurnTrace:
    """The span of a running turn (None when tracing is off) and its callbacks."""

    span: Span | None = None
    callbacks: list[Any] = field(default_factory=list)

    def finish(self, done: dict[str, Any]) -> None:
        """Record how the turn ended: outcome, planner, handoff status, tokens and cost."""
        if self.span is None or not done:
            return
        self.span.set_attribute("tandem.turn.outcome", str(done.get("type")))
        if done.get("type") == "error":
            self.span.set_status(Status(StatusCode.ERROR, str(done.get("error") or "error")))
            return
        self.span.set_attribute("tandem.turn.planner", str(done.get("planner") or "rules"))
        self.span.set_attribute("tandem.handoff_status", str(done.get("handoff_status")))
        usage = done.get("usage") or {}
        if usage:
            self.span.set_attribute("gen_ai.usage.input_tokens", usage.get("input_tokens", 0))
            self.span.set_attribute("gen_ai.usage.output_tokens", usage.get("output_tokens", 0))
            if usage.get("cost_usd") is not None:
                self.span.set_attribute("tandem.model.cost_usd", usage["cost_usd"])


@contextlib.contextmanager
def turn_span(tracer: Tracer | None, conversation_id: str, kind: str) -> Iterator[TurnTrace]:
    """Open the turn's span (a no-op without a tracer)."""
    if tracer is None:
        yield TurnTrace()
        return
    attributes = {"tandem.conversation_id": conversation_id, "tandem.turn.kind": kind}
    request_id = baggage.get_baggage(REQUEST_ID_BAGGAGE)
    if request_id:
        attributes["tandem.request_id"] = str(request_id)
    with tracer.start_as_current_span("turn", attributes=attributes) as span:
        handler = GraphTracer(tracer, span)
        try:
            yield TurnTrace(span, [handler])
        finally:
            handler.close()
