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
import queue
import threading
from typing import Any

logger = logging.getLogger("tandem.events")

MAX_BATCH = 10
"""Entries PutEvents accepts in one call."""

_STOP = object()


class EventBridgeSink:
    """Publishes domain events to one EventBridge bus from a background thread."""

    def __init__(
        self, client: Any, bus_name: str, source: str = "tandem", capacity: int = 10_000
    ) -> None:
        self.client = client
        self.bus_name = bus_name
        self.source = source
        self.published = 0
        self.failed = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=capacity)
        self._worker = threading.Thread(target=self._run, name="tandem-eventbridge", daemon=True)
        self._worker.start()

    def publish(self, event: dict[str, Any]) -> None:
        """Queue an event; never blocks the caller (drops it when the backlog is full)."""
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.failed += 1
            logger.warning("domain event dropped (EventBridge backlog full): %s", event["type"])

    def _batch(self, first: Any) -> tuple[list[dict[str, Any]], bool]:
        """`first` and whatever else is queued, up to `MAX_BATCH`; True when told to stop."""
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
        return batch, False

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                break
            batch, stop = self._batch(first)
            self._send(batch)

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

    def close(self, timeout: float = 10) -> None:
        """Send what is queued, then stop the worker."""
        self._queue.put(_STOP)
        self._worker.join(timeout)
