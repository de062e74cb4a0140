"""The observability parts the settings select: traces and the domain event sink.

`tracer_provider` builds the OpenTelemetry tracer provider when an OTLP endpoint is set in
the standard `OTEL_*` variables (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
`OTEL_TRACES_SAMPLER` and `OTEL_BSP_*` are read by the SDK), else tracing is off.
`open_event_sink` builds where domain events go: the append-only JSON-lines log in the
data folder (embedded profile), an Amazon EventBridge bus (AWS profile), or nowhere.
"""

from __future__ import annotations

import os
from typing import Any

from config.settings import Settings
from conversations.domain_events import EventSink, JsonlEventLog


class NoEvents:
    """A sink that drops every event (`TANDEM_EVENTS_BACKEND=none`)."""

    def publish(self, event: dict[str, Any]) -> None:
        """Drop the event."""

    def close(self) -> None:
        """Nothing to release."""


def open_event_sink(settings: Settings) -> EventSink:
    """The domain event sink `events_backend` selects."""
    if settings.events_backend == "eventbridge":
        from cloud.aws import aws_client
        from conversations.eventbridge import EventBridgeSink

        client = aws_client("events", settings.aws_region, settings.eventbridge_endpoint_url)
        return EventBridgeSink(client, settings.eventbridge_bus, settings.eventbridge_source)
    if settings.events_backend == "log":
        return JsonlEventLog(settings.event_log)
    return NoEvents()


TRACES_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
"""Either of these turns tracing on."""


def tracing_enabled(environ: dict[str, str] | None = None) -> bool:
    """Whether an OTLP endpoint is configured and the SDK is not disabled."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(env.get(name) for name in TRACES_ENDPOINTS)


def tracer_provider() -> Any:
    """A tracer provider exporting spans over OTLP (HTTP/protobuf), or None when tracing is off.

    The provider is not made global: the server, its instrumentation and the turns use it
    explicitly, so two apps in one process (tests) keep their traces apart.
    """
    if not tracing_enabled():
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME") or "tandem"})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider
