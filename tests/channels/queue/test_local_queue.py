"""The in-process queue and its consumer: order per sender, retries, dead letters, dedup."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from channels.base import Attachment, InboundMessage
from channels.inbox import Received
from channels.queue.consumer import QueueConsumer, QueuedMessage
from channels.queue.envelope import EnvelopeError, decode, encode
from channels.queue.local import LocalQueue
from channels.queue.sqs import send_arguments


def message(
    text: str, sender: str = "+14155550142", message_id: str | None = None
) -> InboundMessage:
    return InboundMessage(
        channel="sms",
        provider_message_id=message_id or f"SM-{text}",
        sender=sender,
        text=text,
        verified=True,
    )


@dataclass
class RecordingInbox:
    """An inbox that records what it took, fails the first `failures` times, dedups ids."""

    failures: int = 0
    taken: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    async def receive(self, inbound: InboundMessage) -> Received:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("store unavailable")
        if inbound.provider_message_id in self.seen:
            return Received("duplicate")
        self.seen.add(inbound.provider_message_id)
        await asyncio.sleep(0.01 if inbound.text == "first" else 0)
        self.taken.append(inbound.text)
        return Received("started")


async def consume(queue: LocalQueue, inbox: RecordingInbox, until: int) -> QueueConsumer:
    consumer = QueueConsumer(queue, inbox, "in-process")
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(10):
            while sum(consumer.outcomes.values()) < until:
                await asyncio.sleep(0.005)
    finally:
        task.cancel()
        queue.close()
    return consumer


def test_the_envelope_keeps_every_field_and_refuses_other_bodies():
    original = InboundMessage(
        channel="email",
        provider_message_id="<a@b>",
        sender="alex@example.com",
        text="hi",
        thread_keys=("<x@y>",),
        attachments=(Attachment("a.pdf", "application/pdf", 3, "s3://bucket/a.pdf"),),
        reply_state={"subject": "Order", "references": ["<x@y>"]},
        display_name="Alex",
    )
    assert decode(encode(original)) == original
    for body in ("not json", '{"channel": "sms"}', "[]"):
        with pytest.raises(EnvelopeError):
            decode(body)


async def test_one_senders_messages_are_taken_in_order_and_duplicates_once():
    queue, inbox = LocalQueue(), RecordingInbox()
    for text in ("first", "second", "third"):
        await queue.receive(message(text))
    await queue.receive(message("again", message_id="SM-first"))
    consumer = await consume(queue, inbox, until=4)
    assert inbox.taken == ["first", "second", "third"]
    assert dict(consumer.outcomes) == {"started": 3, "duplicate": 1}


async def test_a_failing_message_is_retried_then_taken():
    queue, inbox = LocalQueue(max_attempts=3, retry_delay_seconds=0), RecordingInbox(failures=2)
    await queue.receive(message("hello"))
    consumer = await consume(queue, inbox, until=3)
    assert inbox.taken == ["hello"]
    assert dict(consumer.outcomes) == {"failed": 2, "started": 1}
    assert queue.dead_letters == []


async def test_a_message_that_keeps_failing_is_dead_lettered():
    queue, inbox = LocalQueue(max_attempts=2, retry_delay_seconds=0), RecordingInbox(failures=9)
    await queue.receive(message("hello"))
    queue.put_body("garbage")
    consumer = await consume(queue, inbox, until=4)
    assert dict(consumer.outcomes) == {"failed": 2, "poison": 2}
    assert sorted(decode(b).text if b != "garbage" else b for b in queue.dead_letters) == [
        "garbage",
        "hello",
    ]


@dataclass
class GatedInbox:
    """An inbox whose `slow` sender's turn waits until the gate opens."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)
    taken: list[str] = field(default_factory=list)

    async def receive(self, inbound: InboundMessage) -> Received:
        if inbound.sender == "slow":
            await self.gate.wait()
        self.taken.append(inbound.text)
        return Received("started")


async def test_a_waiting_conversation_holds_up_only_its_own_senders_messages():
    queue, inbox = LocalQueue(), GatedInbox()
    consumer = QueueConsumer(queue, inbox, "in-process")
    task = asyncio.create_task(consumer.run())
    try:
        await queue.receive(message("slow 1", sender="slow"))
        await queue.receive(message("slow 2", sender="slow"))
        await asyncio.sleep(0.05)  # a later batch
        await queue.receive(message("quick", sender="quick"))
        async with asyncio.timeout(10):
            while inbox.taken != ["quick"]:
                await asyncio.sleep(0.005)
            inbox.gate.set()
            while len(inbox.taken) < 3:
                await asyncio.sleep(0.005)
            await consumer.idle()
        assert inbox.taken == ["quick", "slow 1", "slow 2"]
    finally:
        task.cancel()


def test_fifo_queues_group_by_sender_and_deduplicate_by_provider_id():
    plain = send_arguments("https://sqs.eu-west-1.amazonaws.com/1/inbound", message("a"))
    assert set(plain) == {"QueueUrl", "MessageBody"}
    fifo = "https://sqs.eu-west-1.amazonaws.com/1/inbound.fifo"
    a, b = send_arguments(fifo, message("a")), send_arguments(fifo, message("b"))
    other = send_arguments(fifo, message("a", sender="+14155550199", message_id="SM-z"))
    assert a["MessageGroupId"] == b["MessageGroupId"] != other["MessageGroupId"]
    assert a["MessageDeduplicationId"] != b["MessageDeduplicationId"]
    assert len(a["MessageDeduplicationId"]) <= 128


async def test_the_sqs_consumer_doubles_a_fractional_retry_delay(monkeypatch):
    from channels.registry import Channels, _consumers
    from wiring.channels import ChannelRuntime

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config = ChannelRuntime(
        sender_messages_per_hour=60,
        queue_retry_seconds=0.5,
        sqs_queue_url="https://sqs.eu-west-1.amazonaws.com/1/inbound.fifo",
        region="eu-west-1",
    )
    source = _consumers(config, Channels(inbox=None, delivery=None))[-1].source  # type: ignore[arg-type]
    delays: list[int] = []
    source.client = SimpleNamespace(  # type: ignore[attr-defined]
        change_message_visibility=lambda **call: delays.append(call["VisibilityTimeout"])
    )
    for attempt in (1, 2, 3, 4):
        await source.retry(QueuedMessage("{}", attempt, handle="receipt"))
    assert delays == [0, 1, 2, 4]
