"""Structured JSON logs carrying the request id, conversation id and trace of the work in hand.

With tracing on, each line also has the `trace_id` and `span_id` (hex, as OTLP backends
show them) of the span current when it was logged, so a log line leads to its trace.
"""

from __future__ import annotations

import contextvars
import logging
import sys

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
conversation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "conversation_id", default=None
)


class ContextFilter(logging.Filter):
    """Adds `request_id`, `conversation_id`, `trace_id` and `span_id` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the ids of the current request and span (None outside one)."""
        record.request_id = request_id_var.get()
        record.conversation_id = conversation_id_var.get()
        span = trace.get_current_span().get_span_context()
        record.trace_id = format(span.trace_id, "032x") if span.is_valid else None
        record.span_id = format(span.span_id, "016x") if span.is_valid else None
        return True


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr as one JSON object per line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}{conversation_id}{trace_id}{span_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = name != "uvicorn.access"
