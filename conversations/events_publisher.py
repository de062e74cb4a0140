"""Handoff queue events to Amazon SNS, published off the request path.

`PublishingServerStore` wraps any `ServerStore` and, after each queue change it makes,
hands an event to `SnsEventPublisher`, whose worker thread publishes it to the topic
(subscribe an SQS queue, a Lambda function or EventBridge Pipes to act on it). Types:
`handoff.opened`, `handoff.updated`, `handoff.claimed`, `handoff.responded`,
`handoff.resolved`, `handoff.returned`, `handoff.requeued`, `handoff.reassigned`; each
message is the JSON event with the queue entry, and carries the type as the `event_type`
message attribute for subscription filter policies. A failed publish is logged and dropped:
the queue itself is the record.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from conversations.background_sender import BackgroundSender
from conversations.store import ServerStore

logger = logging.getLogger("tandem.server.events")


class SnsEventPublisher(BackgroundSender):
    """Publishes queue events to one SNS topic from a background thread."""

    def __init__(self, client: Any, topic_arn: str, capacity: int = 10_000) -> None:
        self.client = client
        self.topic_arn = topic_arn
        super().__init__("tandem-sns-events", capacity)

    def publish(self, event_type: str, entry: dict[str, Any]) -> None:
        """Queue an event for publishing; never blocks the caller (drops when full)."""
        self.enqueue({"type": event_type, "at": time.time(), "entry": entry}, event_type)

    def _send(self, batch: list[Any]) -> None:
        for event in batch:
            try:
                self.client.publish(
                    TopicArn=self.topic_arn,
                    Message=json.dumps(event, default=str),
                    MessageAttributes={
                        "event_type": {"DataType": "String", "StringValue": event["type"]}
                    },
                )
                self.published += 1
            except Exception as error:  # the queue item is the record; the event is a signal
                self.failed += 1
                logger.warning("queue event %s not published: %s", event["type"], error)


class PublishingServerStore:
    """A `ServerStore` that announces every handoff queue change on SNS."""

    def __init__(self, store: ServerStore, publisher: SnsEventPublisher) -> None:
        self.store = store
        self.publisher = publisher

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def close(self) -> None:
        """Flush the publisher and close the store."""
        self.publisher.close()
        self.store.close()

    def _announce(self, event_type: str, conversation_id: str) -> None:
        entry = self.store.get_handoff(conversation_id)
        if entry is not None:
            self.publisher.publish(event_type, entry)

    def upsert_handoff(
        self, conversation_id: str, payload: dict[str, Any], customer_id: str | None
    ) -> dict[str, Any]:
        """Open or refresh the entry; announce `handoff.opened` or `handoff.updated`."""
        before = self.store.get_handoff(conversation_id)
        entry = self.store.upsert_handoff(conversation_id, payload, customer_id)
        reopened = before is None or before["created_at"] != entry["created_at"]
        self.publisher.publish("handoff.opened" if reopened else "handoff.updated", entry)
        return entry

    def claim(self, conversation_id: str, agent: str) -> bool:
        """Claim; announce `handoff.claimed` when this agent won."""
        won = self.store.claim(conversation_id, agent)
        if won:
            self._announce("handoff.claimed", conversation_id)
        return won

    def release_claim(
        self, conversation_id: str, holder: str | None, claimed_before: float | None = None
    ) -> bool:
        """Release; announce `handoff.requeued` when the claim was released."""
        released = self.store.release_claim(conversation_id, holder, claimed_before)
        if released:
            self._announce("handoff.requeued", conversation_id)
        return released

    def reassign(self, conversation_id: str, holder: str | None, agent: str) -> bool:
        """Reassign; announce `handoff.reassigned` when the claim moved."""
        moved = self.store.reassign(conversation_id, holder, agent)
        if moved:
            self._announce("handoff.reassigned", conversation_id)
        return moved

    def record_response(self, conversation_id: str) -> None:
        """Stamp the response; announce `handoff.responded`."""
        self.store.record_response(conversation_id)
        self._announce("handoff.responded", conversation_id)

    def close_handoff(self, conversation_id: str, status: str) -> None:
        """Close the entry; announce `handoff.resolved` or `handoff.returned`."""
        self.store.close_handoff(conversation_id, status)
        self._announce(f"handoff.{status}", conversation_id)
