"""Domain events to an Amazon EventBridge bus, sent off the request path in batches.

Each event becomes one PutEvents entry: `Source` (default `tandem`), `DetailType` the
event type (`conversation.started`, `handoff.opened`, ...) and `Detail` the event as JSON,
so rules can match on `detail-type` and route to Firehose (S3 Parquet for Athena), SQS or
Lambda. A worker thread sends up to ten entries a call; failed entries are logged and
counted, never retried into a turn's way.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from conversations.background_sender import BackgroundSender

logger = logging.getLogger("tandem.events")

MAX_BATCH = 10
"""Entries PutEvents accepts in one call."""


class EventBridgeSink(BackgroundSender):
    """Publishes domain events to one EventBridge bus from a background thread."""

    def __init__(
        self, client: Any, bus_name: str, source: str = "tandem", capacity: int = 10_000
    ) -> None:
        self.client = client
        self.bus_name = bus_name
        self.source = source
        super().__init__("tandem-eventbridge", capacity, MAX_BATCH)

    def publish(self, event: dict[str, Any]) -> None:
        """Queue an event; never blocks the caller (drops it when the backlog is full)."""
        self.enqueue(event, event["type"])

    def _send(self, batch: list[dict[str, Any]]) -> None:
        entries = [
            {
                "Source": self.source,
                "DetailType": event["type"],
                "Detail": json.dumps(event, default=str),
                "EventBusName": self.bus_name,
            }
            for event in batch
        ]
        try:
            answer = self.client.put_events(Entries=entries)
        except Exception as error:  # the conversation is the record; the event is a signal
            self.failed += len(batch)
            logger.warning("%d domain events not sent to EventBridge: %s", len(batch), error)
            return
        failed = int(answer.get("FailedEntryCount") or 0)
        self.failed += failed
        self.published += len(batch) - failed
        if failed:
            logger.warning("EventBridge refused %d of %d domain events", failed, len(batch))
