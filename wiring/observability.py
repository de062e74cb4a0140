"""The observability parts the settings select: the domain event sink.

`open_event_sink` builds where domain events go: the append-only JSON-lines log in the
data folder (embedded profile), an Amazon EventBridge bus (AWS profile), or nowhere.
"""

from __future__ import annotations

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
