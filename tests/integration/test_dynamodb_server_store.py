"""The server store on SQLite and on DynamoDB (moto_server): one contract, conditional
claims under a race, SLA timestamps, queue events delivered through SNS to SQS, the
long-term memory store on every backend, and the idempotent bootstrap."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloud.aws import aws_client
from config.settings import Settings
from conversations.events_publisher import PublishingServerStore, SnsEventPublisher
from conversations.store import ServerStore
from memory.long_term import CustomerMemory
from tests.integration.conftest import MOTO_REGION
from wiring.aws_resources import ensure_dynamodb_resources
from wiring.persistence import open_long_term_store, open_server_store

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

PAYLOAD = {
    "reason": "explicit_request",
    "intent": "talk_to_human",
    "sentiment": {"label": "negative", "score": -0.4},
    "summary": "Wants a person.",
    "suggested_reply": "Hi, I can help.",
    "channel": "web",
    "last_message": "I want a human",
}


def aws_settings(endpoint: str, tmp_path: Path, **overrides: Any) -> Settings:
    """Settings selecting every DynamoDB backend, on fresh table names."""
    suffix = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "aws_region": MOTO_REGION,
        "dynamodb_endpoint_url": endpoint,
        "s3_endpoint_url": endpoint,
        "sns_endpoint_url": endpoint,
        "checkpointer": "dynamodb",
        "store_backend": "dynamodb",
        "server_store_backend": "dynamodb",
        "checkpoint_table": f"ckpt-{suffix}",
        "memory_table": f"mem-{suffix}",
        "server_table": f"srv-{suffix}",
    }
    return Settings(**{**values, **overrides})


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request, tmp_path: Path) -> Iterator[ServerStore]:
    if request.param == "sqlite":
        opened = open_server_store(Settings(data_dir=tmp_path / "data"))
    else:
        settings = aws_settings(request.getfixturevalue("moto_endpoint"), tmp_path)
        ensure_dynamodb_resources(settings)
        opened = open_server_store(settings)
    yield opened
    opened.close()


def test_conversations_are_listed_newest_first_per_customer(store: ServerStore) -> None:
    store.create_conversation("c1", "alice", "web")
    time.sleep(0.01)
    store.create_conversation("c2", "bob", "web")
    time.sleep(0.01)
    store.create_conversation("c3", "alice", "email")
    assert store.get_conversation("c3")["channel"] == "email"
    assert store.get_conversation("nope") is None
    assert [c["id"] for c in store.list_conversations("alice", 10, 0)] == ["c3", "c1"]
    time.sleep(0.01)
    store.touch("c1")
    assert [c["id"] for c in store.list_conversations("alice", 10, 0)] == ["c1", "c3"]
    assert [c["id"] for c in store.list_conversations(None, 2, 1)] == ["c3", "c2"]


def test_a_guest_conversation_is_assigned_once_and_owned_ones_never(
    store: ServerStore,
) -> None:
    store.create_conversation("owned", "someone_else", "web")
    store.create_conversation("guest", None, "sms")
    assert not store.assign_customer("owned", "alice")
    assert not store.assign_customer("missing", "alice")
    assert store.assign_customer("guest", "alice")
    assert not store.assign_customer("guest", "a_third_customer")
    assert store.get_conversation("owned")["customer_id"] == "someone_else"
    assert store.get_conversation("guest")["customer_id"] == "alice"
    assert [c["id"] for c in store.list_conversations("alice", 10, 0)] == ["guest"]


def test_events_resume_after_a_cursor(store: ServerStore) -> None:
    assert store.last_seq("c1") == 0
    for seq, kind in enumerate(["customer_message", "tool", "done"], start=1):
        store.append_event("c1", seq, {"type": kind, "n": seq})
    assert store.last_seq("c1") == 3
    assert [s for s, _ in store.events_after("c1", 1)] == [2, 3]
    assert store.events_after("c1", 0, types=("done",)) == [(3, {"type": "done", "n": 3})]
    assert len(store.events_after("c1", 0, limit=2)) == 2


def test_reservations_only_go_up_and_stay_out_of_the_event_log(store: ServerStore) -> None:
    assert store.reserved_seq("c1") == 0
    store.append_event("c1", 1, {"type": "customer_message", "text": "hi"})
    store.reserve_seq("c1", 1000)
    store.reserve_seq("c1", 500)
    assert store.reserved_seq("c1") == 1000
    assert store.reserved_seq("c2") == 0
    assert store.last_seq("c1") == 1
    assert [s for s, _ in store.events_after("c1", 0)] == [1]


def test_open_turns_are_listed_until_closed(store: ServerStore) -> None:
    store.create_conversation("c1", "alice", "web")
    store.open_turn("c1", {"kind": "customer", "cursor": 4, "started_at": 1.0})
    time.sleep(0.01)
    store.open_turn("c2", {"kind": "agent", "cursor": 0, "agent": "dana"})
    turns = store.open_turns()
    assert [(t["conversation_id"], t["kind"]) for t in turns] == [
        ("c1", "customer"),
        ("c2", "agent"),
    ]
    assert turns[0]["cursor"] == 4 and turns[1]["agent"] == "dana"
    assert store.open_turn_record("c2") == turns[1]
    store.close_turn("c1")
    store.close_turn("never-opened")
    assert [t["conversation_id"] for t in store.open_turns()] == ["c2"]
    assert store.open_turn_record("c1") is None and store.open_turn_record("never") is None
    assert [c["id"] for c in store.list_conversations(None, 10, 0)] == ["c1"]


def test_handoff_lifecycle_keeps_sla_timestamps(store: ServerStore) -> None:
    entry = store.upsert_handoff("c1", PAYLOAD, "alice")
    assert entry["status"] == "waiting" and entry["sentiment_score"] == -0.4
    again = store.upsert_handoff("c1", {**PAYLOAD, "last_message": "hello?"}, "alice")
    assert again["created_at"] == entry["created_at"] and again["last_message"] == "hello?"
    assert store.claim("c1", "dana") is True
    assert store.claim("c1", "eve") is False
    store.record_response("c1")
    first = store.get_handoff("c1")["first_response_at"]
    store.record_response("c1")
    assert store.get_handoff("c1")["first_response_at"] == first
    assert [h["conversation_id"] for h in store.list_handoffs(("claimed",))] == ["c1"]
    store.close_handoff("c1", "resolved")
    closed = store.get_handoff("c1")
    assert closed["status"] == "resolved" and closed["resolved_at"] >= first
    assert store.list_handoffs(("waiting", "claimed")) == []
    reopened = store.upsert_handoff("c1", PAYLOAD, "alice")
    assert reopened["status"] == "waiting" and reopened["claimed_by"] is None


def test_queue_lists_oldest_first_and_filters_by_reason(store: ServerStore) -> None:
    store.upsert_handoff("a", PAYLOAD, None)
    time.sleep(0.01)
    store.upsert_handoff("b", {**PAYLOAD, "reason": "negative_sentiment"}, None)
    assert [h["conversation_id"] for h in store.list_handoffs(("waiting",))] == ["a", "b"]
    by_reason = store.list_handoffs(("waiting",), "negative_sentiment")
    assert [h["conversation_id"] for h in by_reason] == ["b"]


@pytest.fixture(params=["sqlite", "dynamodb"])
def claim_store(request, tmp_path: Path) -> Iterator[ServerStore]:
    if request.param == "sqlite":
        opened = open_server_store(Settings(data_dir=tmp_path / "data"))
    else:
        settings = aws_settings(request.getfixturevalue("serial_moto_endpoint"), tmp_path)
        ensure_dynamodb_resources(settings)
        opened = open_server_store(settings)
    yield opened
    opened.close()


def test_of_two_agents_claiming_at_once_exactly_one_wins(claim_store: ServerStore) -> None:
    store = claim_store
    for round_ in range(8):
        conversation = f"race-{round_}"
        store.upsert_handoff(conversation, PAYLOAD, None)
        start = threading.Barrier(2)
        won: dict[str, bool] = {}

        def claim(agent: str, conversation: str = conversation, start=start, won=won) -> None:
            start.wait()
            won[agent] = store.claim(conversation, agent)

        agents = [threading.Thread(target=claim, args=(name,)) for name in ("dana", "eve")]
        for agent in agents:
            agent.start()
        for agent in agents:
            agent.join()
        assert sorted(won.values()) == [False, True]
        winner = next(name for name, ok in won.items() if ok)
        assert store.get_handoff(conversation)["claimed_by"] == winner


def _subscribed_queue(endpoint: str, topic_arn: str) -> str:
    sqs = aws_client("sqs", MOTO_REGION, endpoint)
    url = sqs.create_queue(QueueName=f"queue-events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns = aws_client("sns", MOTO_REGION, endpoint)
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return str(url)


def _drain(endpoint: str, url: str, count: int) -> list[dict[str, Any]]:
    sqs = aws_client("sqs", MOTO_REGION, endpoint)
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    while len(received) < count and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return received


def test_queue_events_reach_an_sqs_subscriber(moto_endpoint: str, tmp_path: Path) -> None:
    topic = aws_client("sns", MOTO_REGION, moto_endpoint).create_topic(Name="tandem-queue")
    settings = aws_settings(moto_endpoint, tmp_path, sns_topic_arn=topic["TopicArn"])
    assert f"sns:{topic['TopicArn']}" in ensure_dynamodb_resources(settings)
    url = _subscribed_queue(moto_endpoint, topic["TopicArn"])
    store = open_server_store(settings)
    assert isinstance(store, PublishingServerStore)
    store.upsert_handoff("c9", PAYLOAD, "alice")
    store.upsert_handoff("c9", {**PAYLOAD, "last_message": "still there?"}, "alice")
    assert store.claim("c9", "dana") and not store.claim("c9", "eve")
    store.record_response("c9")
    store.close_handoff("c9", "resolved")
    store.close()
    events = _drain(moto_endpoint, url, 5)
    assert [e["type"] for e in events] == [
        "handoff.opened",
        "handoff.updated",
        "handoff.claimed",
        "handoff.responded",
        "handoff.resolved",
    ]
    assert events[2]["entry"]["claimed_by"] == "dana"
    assert events[-1]["entry"]["status"] == "resolved"


def test_a_failing_topic_never_breaks_the_queue(moto_endpoint: str, tmp_path: Path) -> None:
    settings = aws_settings(moto_endpoint, tmp_path)
    ensure_dynamodb_resources(settings)
    client = aws_client("sns", MOTO_REGION, moto_endpoint)
    missing = f"arn:aws:sns:{MOTO_REGION}:123456789012:missing-{uuid.uuid4().hex[:6]}"
    publisher = SnsEventPublisher(client, missing)
    store = PublishingServerStore(open_server_store(settings), publisher)
    assert store.upsert_handoff("c1", PAYLOAD, None)["status"] == "waiting"
    assert store.claim("c1", "dana") is True
    store.close()
    assert publisher.published == 0 and publisher.failed == 2


def test_bootstrap_is_idempotent_and_builds_the_queue_indexes(
    moto_endpoint: str, tmp_path: Path
) -> None:
    bucket = f"offload-{uuid.uuid4().hex[:8]}"
    settings = aws_settings(moto_endpoint, tmp_path, offload_bucket=bucket)
    first = ensure_dynamodb_resources(settings)
    assert first == [
        f"dynamodb:{settings.checkpoint_table}",
        f"s3:{bucket}",
        f"dynamodb:{settings.memory_table}",
        f"dynamodb:{settings.server_table}",
    ]
    assert ensure_dynamodb_resources(settings) == first
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    table = client.describe_table(TableName=settings.server_table)["Table"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {
        "by_customer",
        "by_recency",
        "queue",
        "by_day",
    }
    ttl = client.describe_time_to_live(TableName=settings.memory_table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    assert ensure_dynamodb_resources(Settings(data_dir=tmp_path)) == []


@pytest.mark.parametrize("backend", ["memory", "sqlite", "dynamodb"])
def test_long_term_memory_on_every_backend(backend: str, request, tmp_path: Path) -> None:
    if backend == "dynamodb":
        settings = aws_settings(request.getfixturevalue("moto_endpoint"), tmp_path)
        ensure_dynamodb_resources(settings)
    else:
        settings = Settings(data_dir=tmp_path / "data", store_backend=backend)
    with open_long_term_store(settings) as store:
        memory = CustomerMemory(store, "demo")
        assert memory.profile("alice") == {}
        memory.save_profile("alice", {"name": "Alice", "tier": "gold"})
        assert memory.update_preferences("alice", channel="email", language="fr") == {
            "channel": "email",
            "language": "fr",
        }
        assert memory.update_preferences("alice", language=None) == {"channel": "email"}
        memory.remember_conversation("alice", "c1", "Asked about order #W1.")
        time.sleep(0.01)
        memory.remember_conversation(
            "alice", "c2", "Returned a lamp.", intent="return", outcome="action_done"
        )
        assert memory.conversation_summary("alice", "c2")["outcome"] == "action_done"
        assert memory.conversation_summary("alice", "c3") == {}
        memory.save_profile("bob", {"name": "Bob"})
        summaries = memory.conversation_summaries("alice")
        assert [s["conversation_id"] for s in summaries] == ["c2", "c1"]
        assert summaries[0]["intent"] == "return"
        assert CustomerMemory(store, "other-tenant").profile("alice") == {}
        assert memory.forget("alice") == 4
        assert memory.profile("alice") == {} and memory.conversation_summaries("alice") == []
        assert memory.profile("bob") == {"name": "Bob"}
    if backend == "sqlite":
        with open_long_term_store(settings) as reopened:
            assert CustomerMemory(reopened, "demo").profile("bob") == {"name": "Bob"}


def test_the_graph_remembers_customers_in_dynamodb(services, request, tmp_path: Path) -> None:
    """Profiles and summaries round-trip through DynamoDB (numbers come back as Decimal)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from graphs.support import compile_graph
    from tests.scenarios.helpers import DEMO_CUSTOMER, Conversation

    settings = aws_settings(request.getfixturevalue("moto_endpoint"), tmp_path)
    ensure_dynamodb_resources(settings)
    with open_long_term_store(settings) as store:
        graph = compile_graph(services, InMemorySaver(), store)
        first = Conversation(graph, f"c-{uuid.uuid4().hex}")
        first.say("get me a human agent now")
        second = Conversation(graph, f"c-{uuid.uuid4().hex}")
        second.say("get me a human agent now")
        payload = next(e for e in second.events if e["type"] == "handoff")["payload"]
        assert "earlier: 1 conversation (latest: handed to a person" in payload["summary"]
        memory = CustomerMemory(store, "demo")
        assert memory.profile(DEMO_CUSTOMER)["email"] == "alex.morgan@example.com"
        summaries = memory.conversation_summaries(DEMO_CUSTOMER)
        assert [s["conversation_id"] for s in summaries] == [second.thread_id, first.thread_id]
