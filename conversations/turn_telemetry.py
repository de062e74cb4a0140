"""A turn's telemetry: its Prometheus figures and its span, the parent of its graph's spans.

`turn_span` times every turn (count, latency, admission wait, model tokens and cost go to
`conversations.instruments`). With tracing on (a `Tracer` from the composition root), it
also opens a `turn` span as the current span (so log lines carry its trace id) with the
conversation id, the turn's kind and the request id the HTTP layer put in the context's
baggage, and hands the turn the callback handler that traces its graph. Off, tracing costs
nothing and adds no callbacks.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import baggage
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from conversations import instruments
from graphs.tracing import GraphTracer

REQUEST_ID_BAGGAGE = "tandem.request_id"
"""The baggage key the HTTP layer puts the request id under."""


@dataclass
class TurnTrace:
    """A running turn's start, its span (None when tracing is off) and its callbacks."""

    kind: str
    span: Span | None = None
    callbacks: list[Any] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def admitted(self, gate_stats: dict[str, Any]) -> None:
        """The admission gate let the turn in: record its wait and the gate's state."""
        instruments.ADMISSION_WAIT_SECONDS.observe(time.perf_counter() - self.started)
        instruments.record_gate(gate_stats)

    def finish(self, done: dict[str, Any], gate_stats: dict[str, Any]) -> None:
        """Record how the turn ended: outcome, planner, latency, tokens and cost."""
        instruments.record_gate(gate_stats)
        if not done:
            return
        planner = str(done.get("planner") or "rules") if done.get("type") == "done" else "none"
        instruments.TURNS.labels(self.kind, str(done.get("type")), planner).inc()
        instruments.TURN_SECONDS.labels(self.kind).observe(time.perf_counter() - self.started)
        instruments.record_usage(done.get("usage"))
        if self.span is not None:
            self._annotate(self.span, done)

    def _annotate(self, span: Span, done: dict[str, Any]) -> None:
        """Put how the turn ended on its span."""
        span.set_attribute("tandem.turn.outcome", str(done.get("type")))
        if done.get("type") == "error":
            span.set_status(Status(StatusCode.ERROR, str(done.get("error") or "error")))
            return
        span.set_attribute("tandem.turn.planner", str(done.get("planner") or "rules"))
        span.set_attribute("tandem.handoff_status", str(done.get("handoff_status")))
        usage = done.get("usage") or {}
        if usage:
            span.set_attribute("gen_ai.usage.input_tokens", usage.get("input_tokens", 0))
            span.set_attribute("gen_ai.usage.output_tokens", usage.get("output_tokens", 0))
            if usage.get("cost_usd") is not None:
                span.set_attribute("tandem.model.cost_usd", usage["cost_usd"])


@contextlib.contextmanager
def turn_span(tracer: Tracer | None, conversation_id: str, kind: str) -> Iterator[TurnTrace]:
    """Time the turn and open its span (no span without a tracer)."""
    if tracer is None:
        yield TurnTrace(kind)
        return
    attributes = {"tandem.conversation_id": conversation_id, "tandem.turn.kind": kind}
    request_id = baggage.get_baggage(REQUEST_ID_BAGGAGE)
    if request_id:
        attributes["tandem.request_id"] = str(request_id)
    with tracer.start_as_current_span("turn", attributes=attributes) as span:
        handler = GraphTracer(tracer, span)
        try:
            yield TurnTrace(kind, span, [handler])
        finally:
            handler.close()
