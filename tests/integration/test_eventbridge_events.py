"""Domain events on the AWS profile: sent to an EventBridge bus on moto_server, routed by a
rule to an SQS queue and read back from it."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from cloud.aws import aws_client
from config.settings import Settings
from conversations.domain_events import domain_event
from conversations.eventbridge import EventBridgeSink
from tests.integration.conftest import MOTO_REGION
from wiring.observability import open_event_sink

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


def _bus_to_queue(endpoint: str) -> tuple[str, Any]:
    """A new bus whose every `tandem` event is delivered to a new SQS queue."""
    events = aws_client("events", MOTO_REGION, endpoint)
    sqs = aws_client("sqs", MOTO_REGION, endpoint)
    name = f"tandem-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=name)
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    events.put_rule(Name=name, EventBusName=name, EventPattern=json.dumps({"source": ["tandem"]}))
    events.put_targets(
        Rule=name,
        EventBusName=name,
        Targets=[{"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}],
    )
    return name, (sqs, queue_url)


def _received(queue: tuple[Any, str], expected: int) -> list[dict[str, Any]]:
    sqs, url = queue
    bodies: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    while len(bodies) < expected and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        bodies += [json.loads(m["Body"]) for m in answer.get("Messages", [])]
    return bodies


def test_domain_events_reach_the_bus_in_batches(moto_endpoint):
    bus, queue = _bus_to_queue(moto_endpoint)
    sink = EventBridgeSink(aws_client("events", MOTO_REGION, moto_endpoint), bus)
    sent = [domain_event("handoff.opened", f"c{i}", reason="explicit_request") for i in range(13)]
    for event in sent:
        sink.publish(event)
    sink.close()
    assert sink.published == 13 and sink.failed == 0
    received = _received(queue, 13)
    assert sorted(r["detail"]["id"] for r in received) == sorted(e["id"] for e in sent)
    first = received[0]
    assert first["source"] == "tandem" and first["detail-type"] == "handoff.opened"
    assert first["detail"]["data"] == {"reason": "explicit_request"}


def test_the_aws_profile_selects_eventbridge_from_settings(moto_endpoint, tmp_path):
    bus, queue = _bus_to_queue(moto_endpoint)
    settings = Settings(
        data_dir=tmp_path,
        events_backend="eventbridge",
        eventbridge_bus=bus,
        eventbridge_endpoint_url=moto_endpoint,
        aws_region=MOTO_REGION,
    )
    sink = open_event_sink(settings)
    sink.publish(domain_event("conversation.started", "c1", channel="web"))
    sink.close()
    [received] = _received(queue, 1)
    assert received["detail"]["conversation_id"] == "c1"
    assert not settings.event_log.exists()


def test_an_unreachable_bus_is_counted_not_raised(moto_endpoint):
    client = aws_client("events", MOTO_REGION, "http://127.0.0.1:9")
    sink = EventBridgeSink(client, "default")
    sink.publish(domain_event("turn.completed", "c1"))
    sink.close()
    assert sink.failed == 1 and sink.published == 0
