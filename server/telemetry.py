"""HTTP spans for the server: each request a span, the parent of the turn it starts.

`instrument` applies OpenTelemetry's FastAPI instrumentation with the composition root's
tracer provider (nothing when tracing is off). Probes and `/metrics` are not traced.
`annotate_request` puts the request id on the request's span and in the context's baggage,
where the turn's span reads it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from opentelemetry import baggage, context, trace

from conversations.turn_telemetry import REQUEST_ID_BAGGAGE

UNTRACED = "healthz,readyz,metrics"
"""Paths (regular expressions, comma-separated) the instrumentation leaves out."""


def instrument(app: FastAPI, provider: Any) -> None:
    """Trace every request of `app` with `provider` (a no-op when it is None)."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # No span per ASGI message: a streamed turn sends one per token.
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls=UNTRACED,
        exclude_spans=["receive", "send"],
    )


def annotate_request(request_id: str, conversation_id: str | None) -> object | None:
    """Tag the current request span with its ids; return the token `detach_request` takes.

    Returns None (and does nothing) outside a recorded span, i.e. with tracing off.
    """
    span = trace.get_current_span()
    if not span.is_recording():
        return None
    span.set_attribute("tandem.request_id", request_id)
    if conversation_id:
        span.set_attribute("tandem.conversation_id", conversation_id)
    return context.attach(baggage.set_baggage(REQUEST_ID_BAGGAGE, request_id))


def detach_request(token: object | None) -> None:
    """Undo `annotate_request`."""
    if token is not None:
        context.detach(token)  # type: ignore[arg-type]
