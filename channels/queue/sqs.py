"""Amazon SQS as the inbound queue: the Lambda webhooks send, the ECS service receives.

On a FIFO queue (its URL ends in `.fifo`) each sender's messages keep their order (the
message group is channel and sender) and SQS itself drops a repeat of a provider message id
within five minutes (the deduplication id); the inbox's claim catches later repeats. A
message not acknowledged becomes visible again after a growing delay; after the redrive
policy's `maxReceiveCount` receives SQS moves it to the dead-letter queue.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from channels.base import InboundMessage
from channels.inbox import Received
from channels.queue.consumer import QueuedMessage
from channels.queue.envelope import encode

MAX_RETRY_DELAY_SECONDS = 300
"""Longest wait before a failed message is delivered again."""


def is_fifo(queue_url: str) -> bool:
    """Whether the queue is a FIFO queue (SQS names them `*.fifo`)."""
    return queue_url.endswith(".fifo")


def send_arguments(queue_url: str, message: InboundMessage) -> dict[str, Any]:
    """The `SendMessage` arguments that queue `message`."""
    arguments: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": encode(message)}
    if is_fifo(queue_url):
        key = f"{message.channel}:{message.provider_message_id}".encode()
        group = f"{message.channel}:{message.sender}".encode()
        arguments["MessageDeduplicationId"] = hashlib.sha256(key).hexdigest()
        arguments["MessageGroupId"] = hashlib.sha256(group).hexdigest()
    return arguments


class SqsSink:
    """Puts inbound messages on an SQS queue (used by the Lambda webhooks)."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, message: InboundMessage) -> str:
        """Queue `message`; return SQS's message id."""
        response = self.client.send_message(**send_arguments(self.queue_url, message))
        return str(response["MessageId"])

    async def receive(self, message: InboundMessage) -> Received:
        """Queue `message` (the inbox's interface, for the channels' intake code)."""
        await asyncio.to_thread(self.send, message)
        return Received("queued")


class SqsSource:
    """Long-polls an SQS queue for the consumer."""

    def __init__(
        self,
        client: Any,
        queue_url: str,
        wait_seconds: int = 10,
        retry_delay_seconds: float = 5.0,
    ) -> None:
        self.client = client
        self.queue_url = queue_url
        self.wait_seconds = wait_seconds
        self.retry_delay_seconds = retry_delay_seconds

    def _receive(self) -> list[QueuedMessage]:
        response = self.client.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        return [
            QueuedMessage(
                body=item["Body"],
                attempt=int(item.get("Attributes", {}).get("ApproximateReceiveCount", 1)),
                handle=item["ReceiptHandle"],
            )
            for item in response.get("Messages", [])
        ]

    async def next_batch(self) -> list[QueuedMessage]:
        """Up to ten messages, waiting up to `wait_seconds` for the first."""
        return await asyncio.to_thread(self._receive)

    async def ack(self, delivery: QueuedMessage) -> None:
        """Delete the message from the queue."""
        await asyncio.to_thread(
            self.client.delete_message, QueueUrl=self.queue_url, ReceiptHandle=delivery.handle
        )

    async def retry(self, delivery: QueuedMessage) -> None:
        """Make the message visible again after a delay growing with its receive count."""
        delay = min(self.retry_delay_seconds * 2 ** (delivery.attempt - 1), MAX_RETRY_DELAY_SECONDS)
        await asyncio.to_thread(
            self.client.change_message_visibility,
            QueueUrl=self.queue_url,
            ReceiptHandle=delivery.handle,
            VisibilityTimeout=int(delay),
        )
