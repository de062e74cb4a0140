"""`tandem privacy export` / `erase` on the AWS profile (moto_server): the DynamoDB tables
and the checkpoint offload bucket hold nothing of the customer afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import empty_checkpoint

from cloud.aws import aws_client
from config.settings import Settings
from conversations.store_dynamodb import DynamoDBServerStore
from memory.long_term import CustomerMemory
from tests.integration.conftest import MOTO_REGION
from tests.integration.test_aws_bootstrap import _invoke, aws_env, names  # noqa: F401
from wiring.persistence import dynamodb_checkpointer, open_long_term_store

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

CUSTOMER = "alex_morgan_1001"
EMAIL = "alex.morgan@example.com"
TRACES = (CUSTOMER, EMAIL, "Morgan", "500 Howard Street", "credit_card_1001001")


def _everything(env: dict[str, str], names: dict[str, str]) -> str:  # noqa: F811
    """Every item of every table and every object of the bucket, as one text."""
    endpoint = env["TANDEM_DYNAMODB_ENDPOINT_URL"]
    dynamodb = aws_client("dynamodb", MOTO_REGION, endpoint)
    parts: list[str] = []
    for table in ("checkpoint", "memory", "server", "lease", "orders"):
        for page in dynamodb.get_paginator("scan").paginate(TableName=names[table]):
            parts.extend(json.dumps(item, default=str) for item in page["Items"])
    s3 = aws_client("s3", MOTO_REGION, endpoint)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=names["bucket"]):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=names["bucket"], Key=entry["Key"])["Body"].read()
            parts.append(body.decode("latin-1"))
    return "\n".join(parts)


def _objects(env: dict[str, str], bucket: str) -> int:
    s3 = aws_client("s3", MOTO_REGION, env["TANDEM_S3_ENDPOINT_URL"])
    return int(s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0))


def _seed(settings: Settings) -> str:
    """A conversation of the customer in the server store, its checkpoint (large enough to
    be offloaded to S3) and long-term memory; returns the conversation id."""
    client = aws_client("dynamodb", MOTO_REGION, settings.dynamodb_endpoint_url)
    store = DynamoDBServerStore(client, settings.server_table)
    conversation_id = "conv-privacy-1"
    store.create_conversation(conversation_id, CUSTOMER, "web")
    store.append_event(conversation_id, 1, {"type": "customer_message", "text": f"I am {EMAIL}"})
    store.upsert_handoff(
        conversation_id, {"reason": "requested", "last_message": f"mail {EMAIL}"}, CUSTOMER
    )
    saver = dynamodb_checkpointer(settings)
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {
        "messages": [HumanMessage(content=f"my email is {EMAIL} " * 15_000), AIMessage("ok")]
    }
    config = {"configurable": {"thread_id": conversation_id, "checkpoint_ns": ""}}
    saver.put(config, checkpoint, {"source": "input", "step": -1}, {})  # type: ignore[arg-type]
    saver.close()  # type: ignore[attr-defined]
    with open_long_term_store(settings) as long_term:
        CustomerMemory(long_term, settings.tenant).save_profile(CUSTOMER, {"email": EMAIL})
    return conversation_id


def test_export_then_erase_leaves_nothing_in_dynamodb_or_s3(
    aws_env: dict[str, str],  # noqa: F811
    names: dict[str, str],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        **aws_env,
        "TANDEM_DATA_DIR": str(tmp_path / "data"),
        "TANDEM_CHECKPOINTER": "dynamodb",
        "TANDEM_STORE_BACKEND": "dynamodb",
        "TANDEM_SERVER_STORE_BACKEND": "dynamodb",
        "TANDEM_ORDERS_BACKEND": "dynamodb",
    }
    assert _invoke(["aws", "bootstrap"], env).exit_code == 0
    assert _invoke(["aws", "load-orders"], env).exit_code == 0
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    conversation_id = _seed(Settings())
    everything = _everything(env, names)
    assert all(trace in everything for trace in TRACES), "the traces are there before"
    assert _objects(env, names["bucket"]) > 0, "the checkpoint was offloaded to S3"

    exported = _invoke(["privacy", "export", CUSTOMER], env)
    assert exported.exit_code == 0, exported.output
    document: dict[str, Any] = json.loads(exported.stdout)
    assert document["account"]["email"] == EMAIL
    [conversation] = document["conversations"]
    assert conversation["record"]["id"] == conversation_id
    assert conversation["handoff"]["customer_id"] == CUSTOMER
    assert EMAIL in conversation["state"]["messages"][0]["content"]
    assert document["memory"]["profile"] == {"email": EMAIL}

    refused = _invoke(["privacy", "erase", CUSTOMER], {**env})
    assert refused.exit_code == 1 and EMAIL in _everything(env, names)

    erased = _invoke(["privacy", "erase", CUSTOMER, "--yes"], env)
    assert erased.exit_code == 0, erased.output
    remaining = _everything(env, names)
    assert [trace for trace in TRACES if trace in remaining] == []
    assert _objects(env, names["bucket"]) == 0
    assert "#W1234567" in remaining, "the orders are kept for accounting"
