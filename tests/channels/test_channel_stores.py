"""One contract for the channel records on SQLite and on DynamoDB (moto_server)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from cloud.aws import aws_client
from conversations.channel_store import ChannelStore
from conversations.channel_store_dynamodb import DynamoDBChannelStore
from conversations.channel_store_sqlite import SqliteChannelStore
from conversations.server_table import server_table_spec
from memory.dynamodb_tables import ensure_table
from tests.integration.conftest import MOTO_REGION, serial_moto_endpoint  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[ChannelStore]:
    if request.param == "sqlite":
        made: Any = SqliteChannelStore(tmp_path / "channels.sqlite")
    else:
        endpoint = request.getfixturevalue("serial_moto_endpoint")
        client = aws_client("dynamodb", MOTO_REGION, endpoint)
        table = f"tandem-server-{uuid.uuid4().hex[:8]}"
        ensure_table(client, server_table_spec(table))
        made = DynamoDBChannelStore(client, table)
    yield made
    made.close()


def test_a_key_is_claimed_once_even_under_a_race(store):
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim("email", "in:<race@x>"))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    store.release("email", "in:<race@x>")
    assert store.claim("email", "in:<race@x>")


def test_threads_keys_and_the_delivery_cursor(store):
    assert store.get_thread("c1") is None and store.latest_thread("sms", "+15550001") is None
    store.save_thread({"conversation_id": "c1", "channel": "sms", "address": "+15550001"})
    store.set_delivered("c1", 9)
    store.set_delivered("c1", 4)
    store.save_thread(
        {"conversation_id": "c1", "channel": "sms", "address": "+15550001", "state": {"x": 1}}
    )
    thread = store.get_thread("c1")
    assert thread is not None
    assert (thread["delivered_seq"], thread["state"], thread["address"]) == (
        9,
        {"x": 1},
        "+15550001",
    )
    store.save_thread({"conversation_id": "c2", "channel": "sms", "address": "+15550001"})
    latest = store.latest_thread("sms", "+15550001")
    assert latest is not None and latest["conversation_id"] == "c2"
    store.link("email", ["<a>", "<b>"], "c1")
    store.link("email", ["<b>"], "c2")  # a key keeps its first conversation
    assert store.find("email", ["<none>", "<b>"]) == "c1"
    assert store.find("sms", ["<b>"]) is None
