"""Dashboard reports on DynamoDB (moto_server) read the `by_day` index, never Scan the table,
and the bootstrap gives items written before the index their `report_day`."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from cloud.aws import aws_client
from conversations.report_days import customers_of, days_between
from conversations.server_table import BY_DAY, conversation_pk, event_sk, server_table_spec
from conversations.store_dynamodb import DynamoDBServerStore
from memory.dynamodb_tables import ensure_table
from server.metrics_facts import FACT_EVENT_TYPES
from tests.integration.conftest import MOTO_REGION
from tests.integration.test_dynamodb_server_store import aws_settings
from wiring.aws_resources import ensure_dynamodb_resources

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

DAY = 86_400.0


def recording_client(endpoint: str) -> tuple[Any, list[str]]:
    """A DynamoDB client and the list of operations it sends (paginated pages included)."""
    client = aws_client("dynamodb", MOTO_REGION, endpoint)
    operations: list[str] = []

    def record(model: Any, **_: Any) -> None:
        operations.append(model.name)

    client.meta.events.register("before-call.dynamodb.*", record)
    return client, operations


def test_days_between_covers_each_utc_day_of_a_half_open_range() -> None:
    midnight = 1_772_409_600.0  # 2026-03-02 00:00 UTC
    assert days_between(midnight, midnight + DAY) == ["2026-03-02"]
    assert days_between(midnight - 1, midnight + 1) == ["2026-03-01", "2026-03-02"]
    assert days_between(midnight + 10, midnight + 10) == []
    assert len(days_between(midnight, midnight + 90 * DAY)) == 90


def test_a_report_queries_each_day_and_never_scans(moto_endpoint: str, tmp_path: Path) -> None:
    settings = aws_settings(moto_endpoint, tmp_path)
    ensure_dynamodb_resources(settings)
    client, operations = recording_client(moto_endpoint)
    store = DynamoDBServerStore(client, settings.server_table)
    ids = [f"c{n:03d}" for n in range(101)]
    for n, conversation_id in enumerate(ids):
        store.create_conversation(conversation_id, f"cust-{n}", "web")
        store.append_event(conversation_id, 1, {"type": "customer_message", "text": "hi"})
    store.create_conversation("anon", None, "web")
    store.append_event("anon", 1, {"type": "customer_message", "text": "who am I"})
    store.append_event("anon", 2, {"type": "token", "text": "not a fact"})
    store.record_csat("anon", 4, None)
    now = time.time()
    operations.clear()

    events = store.events_between(now - 2 * DAY, now + 1, FACT_EVENT_TYPES)
    csat = store.csat_between(now - 2 * DAY, now + 1)

    assert "Scan" not in operations
    assert operations.count("Query") == 2 * len(days_between(now - 2 * DAY, now + 1))
    assert operations.count("BatchGetItem") == 2, "102 conversations: two chunks of 100"
    customers = {row["conversation_id"]: row["customer_id"] for row in events}
    assert customers == {**{cid: f"cust-{n}" for n, cid in enumerate(ids)}, "anon": None}
    assert [row["type"] for row in events if row["conversation_id"] == "anon"] == [
        "customer_message"
    ]
    assert [(row["conversation_id"], row["score"]) for row in csat] == [("anon", 4)]
    assert store.events_between(now + 1, now + DAY, FACT_EVENT_TYPES) == []
    store.close()


def test_the_bootstrap_backfills_items_written_before_the_index(
    moto_endpoint: str, tmp_path: Path
) -> None:
    settings = aws_settings(moto_endpoint, tmp_path)
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    spec = server_table_spec(settings.server_table)
    older = dataclasses.replace(spec, indexes=tuple(i for i in spec.indexes if i.name != BY_DAY))
    ensure_table(client, older)
    store = DynamoDBServerStore(client, settings.server_table)
    created = time.time() - 3 * DAY
    store.create_conversation("old", "alice", "web")
    for sk, values in (
        (event_sk(1), {"type": {"S": "customer_message"}, "payload": {"S": '{"text": "hi"}'}}),
        (event_sk(2), {"type": {"S": "token"}, "payload": {"S": "{}"}}),
        ("CSAT", {"score": {"N": "5"}}),
    ):
        client.put_item(
            TableName=settings.server_table,
            Item={
                "PK": {"S": conversation_pk("old")},
                "SK": {"S": sk},
                "created_at": {"N": repr(created)},
                **values,
            },
        )

    ensure_dynamodb_resources(settings)

    table = client.describe_table(TableName=settings.server_table)["Table"]
    assert BY_DAY in {index["IndexName"] for index in table["GlobalSecondaryIndexes"]}
    events = store.events_between(created - 1, created + 1, FACT_EVENT_TYPES)
    assert [(row["conversation_id"], row["customer_id"], row["seq"]) for row in events] == [
        ("old", "alice", 1)
    ]
    assert [row["score"] for row in store.csat_between(created - 1, created + 1)] == [5]
    token = client.get_item(
        TableName=settings.server_table,
        Key={"PK": {"S": conversation_pk("old")}, "SK": {"S": event_sk(2)}},
    )["Item"]
    assert "report_day" not in token, "only the items a report reads join the index"
    store.close()


class ThrottledBatches:
    """A client whose BatchGetItem processes only the first key of each request on the real
    server and hands the rest back as UnprocessedKeys, as DynamoDB does when throttled."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.requests = 0

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        ((table, request),) = RequestItems.items()
        first, *rest = request["Keys"]
        answer = self.client.batch_get_item(RequestItems={table: {**request, "Keys": [first]}})
        if rest:
            answer["UnprocessedKeys"] = {table: {**request, "Keys": rest}}
        return dict(answer)


def test_customers_are_read_again_when_dynamodb_leaves_keys_unprocessed(
    moto_endpoint: str, tmp_path: Path
) -> None:
    settings = aws_settings(moto_endpoint, tmp_path)
    ensure_dynamodb_resources(settings)
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    store = DynamoDBServerStore(client, settings.server_table)
    for n in range(3):
        store.create_conversation(f"c{n}", f"cust-{n}", "web")
    throttled = ThrottledBatches(client)

    found = customers_of(throttled, settings.server_table, ["c0", "c1", "c2", "gone"])

    assert found == {"c0": "cust-0", "c1": "cust-1", "c2": "cust-2", "gone": None}
    assert throttled.requests == 4
    store.close()
