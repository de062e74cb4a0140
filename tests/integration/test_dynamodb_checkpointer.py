"""DynamoDB checkpointer on moto_server: the table factory, S3 offload, and the support
graph's multi-turn flows continuing on a fresh saver instance, as after a restart of the
process (the conformance suite is in tests/conformance)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.types import Command

from cloud.aws import aws_client
from graphs.support import compile_graph
from graphs.turns import customer_input, stream_turn
from memory.dynamodb import (
    TTL_ATTRIBUTE,
    create_checkpoint_table,
    create_offload_bucket,
    dynamodb_saver,
)
from tests.integration.conftest import MOTO_REGION
from tests.scenarios.helpers import Conversation

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

TABLE = "tandem-checkpoints-it"


@pytest.fixture(scope="module")
def table(moto_endpoint: str) -> str:
    create_checkpoint_table(TABLE, MOTO_REGION, moto_endpoint)
    return TABLE


# ---------------------------------------------------------------------------------------
# Table factory, TTL and S3 offload


def test_create_checkpoint_table_is_idempotent(moto_endpoint: str) -> None:
    name = f"tandem-idempotent-{uuid.uuid4().hex[:8]}"
    assert create_checkpoint_table(name, MOTO_REGION, moto_endpoint) is True
    assert create_checkpoint_table(name, MOTO_REGION, moto_endpoint) is False
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    described = client.describe_table(TableName=name)["Table"]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {k["AttributeName"]: k["KeyType"] for k in described["KeySchema"]} == {
        "PK": "HASH",
        "SK": "RANGE",
    }
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": TTL_ATTRIBUTE}


def test_create_checkpoint_table_rejects_a_foreign_schema(moto_endpoint: str) -> None:
    name = f"tandem-foreign-{uuid.uuid4().hex[:8]}"
    aws_client("dynamodb", MOTO_REGION, moto_endpoint).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ValueError, match="key schema"):
        create_checkpoint_table(name, MOTO_REGION, moto_endpoint)


def _big_checkpoint(size: int) -> tuple[RunnableConfig, Any]:
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {"blob": "x" * size}
    checkpoint["channel_versions"] = {"blob": 1}
    return {"configurable": {"thread_id": uuid.uuid4().hex, "checkpoint_ns": ""}}, checkpoint


def test_ttl_stamps_every_item(moto_endpoint: str, table: str) -> None:
    saver = dynamodb_saver(table, MOTO_REGION, moto_endpoint, ttl_seconds=3600)
    config, checkpoint = _big_checkpoint(10)
    stored = saver.put(config, checkpoint, {"step": 0}, {"blob": 1})
    saver.put_writes(stored, [("blob", "y")], "task-1")
    thread = config["configurable"]["thread_id"]
    items = aws_client("dynamodb", MOTO_REGION, moto_endpoint).scan(TableName=table)["Items"]
    mine = [item for item in items if thread in item["PK"]["S"]]
    assert len(mine) == 4  # checkpoint + payload, write + payload
    now = time.time()
    for item in mine:
        assert now + 3500 < int(item[TTL_ATTRIBUTE]["N"]) <= now + 3601


def test_large_checkpoint_needs_the_offload_bucket(moto_endpoint: str, table: str) -> None:
    config, checkpoint = _big_checkpoint(500_000)
    plain = dynamodb_saver(table, MOTO_REGION, moto_endpoint)
    with pytest.raises(ClientError, match="Item size has exceeded"):
        plain.put(config, checkpoint, {"step": 0}, {"blob": 1})

    bucket = f"tandem-offload-{uuid.uuid4().hex[:8]}"
    assert create_offload_bucket(bucket, MOTO_REGION, moto_endpoint) is True
    assert create_offload_bucket(bucket, MOTO_REGION, moto_endpoint) is False
    saver = dynamodb_saver(table, MOTO_REGION, moto_endpoint, s3_bucket=bucket, s3_key_prefix="t")
    stored = saver.put(config, checkpoint, {"step": 0}, {"blob": 1})
    saver.put_writes(stored, [("blob", "z" * 400_000)], "task-1")
    loaded = saver.get_tuple(stored)
    assert loaded is not None
    assert len(loaded.checkpoint["channel_values"]["blob"]) == 500_000
    assert len(loaded.pending_writes[0][2]) == 400_000
    s3 = aws_client("s3", MOTO_REGION, moto_endpoint)
    assert s3.list_objects_v2(Bucket=bucket, Prefix="t/")["KeyCount"] == 2
    saver.delete_thread(config["configurable"]["thread_id"])
    assert saver.get_tuple(stored) is None
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


# ---------------------------------------------------------------------------------------
# The support graph on DynamoDB, continued by a fresh saver (a restarted process)


class DurableConversation(Conversation):
    """`Conversation` with a chosen checkpoint durability for customer turns."""

    def __init__(self, graph: Any, thread_id: str, durability: str) -> None:
        super().__init__(graph, thread_id=thread_id)
        self.durability = durability

    def say(self, text: str) -> str:
        self.events = list(
            stream_turn(
                self.graph,
                self.thread_id,
                customer_input(text, "test"),
                self.context,
                durability=self.durability,
            )
        )
        return self.done["reply"]


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_cancel_confirmation_survives_a_restart(
    services, moto_endpoint: str, table: str, durability: str
) -> None:
    thread = f"cancel-{durability}-{uuid.uuid4().hex}"
    first = dynamodb_saver(table, MOTO_REGION, moto_endpoint)
    chat = DurableConversation(compile_graph(services, first), thread, durability)
    chat.say("please cancel #W1234567, I ordered it by mistake")
    assert chat.state["pending_action"]["tool"] == "cancel_pending_order"
    assert services.orders.get_order_details("#W1234567")["status"] == "pending"

    restarted = dynamodb_saver(table, MOTO_REGION, moto_endpoint)
    assert restarted.client is not first.client
    again = DurableConversation(compile_graph(services, restarted), thread, durability)
    assert len(again.state["messages"]) == 2
    reply = again.say("yes")
    assert "cancelled" in reply
    assert services.orders.get_order_details("#W1234567")["status"] == "cancelled"
    assert not again.state.get("pending_action")


@pytest.mark.parametrize("durability", ["sync", "exit"])
def test_handoff_is_resumed_by_an_agent_after_a_restart(
    services, moto_endpoint: str, table: str, durability: str
) -> None:
    thread = f"handoff-{durability}-{uuid.uuid4().hex}"
    first = dynamodb_saver(table, MOTO_REGION, moto_endpoint)
    chat = DurableConversation(compile_graph(services, first), thread, durability)
    chat.say("I want to talk to a real person")
    assert chat.done["waiting_for_human"] is True

    restarted = dynamodb_saver(table, MOTO_REGION, moto_endpoint)
    graph = compile_graph(services, restarted)
    resumed = Conversation(graph, thread_id=thread)
    assert resumed.interrupts, "the pending handoff must be read back from DynamoDB"
    assert resumed.interrupts[0].value["reason"] == "explicit_request"
    resume = Command(resume={"action": "reply", "message": "Hi, Dana here.", "agent": "Dana"})
    resumed.events = list(
        stream_turn(graph, thread, resume, resumed.context, durability=durability)
    )
    assert resumed.done["handoff_status"] == "human"
    last = resumed.state["messages"][-1]
    assert isinstance(last, AIMessage)
    assert last.name == "Dana"
    assert last.additional_kwargs["author"] == "human_agent"
    assert last.content == "Hi, Dana here."
    assert [e["agent"] for e in resumed.events if e["type"] == "agent_message"] == ["Dana"]
