"""Conversation leases on DynamoDB (moto_server) and the Redis fan-out between event hubs."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from cloud.aws import aws_client
from conversations.fanout import RedisFanout
from conversations.hub import EventHub, QueueFeed
from conversations.lease import TTL_ATTRIBUTE, DynamoDBLease, LocalLease, ensure_lease_table
from conversations.runner import TurnRunner
from conversations.store_sqlite import SqliteServerStore
from graphs.context import Context
from tests.integration.conftest import MOTO_REGION

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


async def test_dynamodb_lease_excludes_others_until_it_expires(moto_endpoint: str) -> None:
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    table = f"leases-{uuid.uuid4().hex[:8]}"
    assert ensure_lease_table(client, table) is True
    assert ensure_lease_table(client, table) is False
    ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == TTL_ATTRIBUTE
    first = DynamoDBLease(client, table, ttl_seconds=1.0, owner="first")
    second = DynamoDBLease(client, table, ttl_seconds=1.0, owner="second")

    assert await first.acquire("c1") is True
    assert await second.acquire("c1") is False
    assert await second.acquire("c2") is True  # leases are per conversation
    assert await second.renew("c1") is False
    assert await first.renew("c1") is True

    for _ in range(100):  # the first holder stops renewing, as if it had crashed
        if await second.acquire("c1"):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the lease never expired")
    assert await first.renew("c1") is False
    await first.release("c1")  # not the owner any more: the second holder keeps it
    item = client.get_item(TableName=table, Key={"conversation_id": {"S": "c1"}})["Item"]
    assert item["owner"]["S"] == "second"
    await second.release("c1")
    assert "Item" not in client.get_item(TableName=table, Key={"conversation_id": {"S": "c1"}})
    assert await first.acquire("c1") is True


async def test_local_lease_is_held_until_released() -> None:
    lease = LocalLease()
    assert await lease.acquire("c1") is True
    assert await lease.acquire("c1") is False
    assert await lease.renew("c1") is True
    await lease.release("c1")
    assert await lease.renew("c1") is False
    assert await lease.acquire("c1") is True


async def _next(iterator: Any) -> Any:
    return await asyncio.wait_for(anext(iterator), timeout=10)


async def test_events_and_queue_changes_reach_the_other_hub_once(
    redis_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "queue.sqlite"  # one shared store, as both processes would have
    stores = SqliteServerStore(path), SqliteServerStore(path)
    hubs = EventHub(stores[0]), EventHub(stores[1])
    feeds = QueueFeed(), QueueFeed()
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    fanouts = [
        RedisFanout(redis_url, hub, feed, prefix) for hub, feed in zip(hubs, feeds, strict=True)
    ]
    for fanout in fanouts:
        await fanout.start()
    try:
        far = hubs[1].follow("conv", hubs[1].cursor("conv"), until_done=True)
        here_queue, far_queue = feeds[0].subscribe(), feeds[1].subscribe()
        pending_far = asyncio.ensure_future(_next(far))
        pending_queue = asyncio.ensure_future(_next(far_queue))
        pending_here = asyncio.ensure_future(_next(here_queue))
        # Let the readers start waiting, so the events reach them through Redis rather
        # than from the shared store (which would skip the token: tokens are not stored).
        await asyncio.sleep(0.2)

        published = [
            {"type": "customer_message", "text": "hi"},
            {"type": "token", "text": "Hello"},
            {
                "type": "done",
                "conversation_id": "conv",
                "reply": "Hello",
                "waiting_for_human": False,
                "handoff_status": "none",
            },
        ]
        seqs = [await hubs[0].publish("conv", event) for event in published]
        received = [await pending_far, await _next(far), await _next(far)]
        assert received == list(zip(seqs, published, strict=True))

        # Not persisted again (the token never), and a repeated delivery changes nothing.
        assert [seq for seq, _ in stores[1].events_after("conv", 0)] == [seqs[0], seqs[2]]
        await hubs[1].deliver("conv", seqs[2], published[2])
        assert hubs[1].cursor("conv") == seqs[2]
        assert await hubs[1].publish("conv", {"type": "customer_message", "text": "again"}) == 4

        change = {"type": "queue_update", "entry": {"conversation_id": "conv"}}
        feeds[0].publish(change)
        assert await pending_queue == change
        assert await pending_here == change
        echo = asyncio.ensure_future(_next(here_queue))
        await asyncio.sleep(0.5)  # a relayed copy of our own change would have arrived
        assert not echo.done()
        echo.cancel()
    finally:
        for fanout in fanouts:
            await fanout.stop()
        for store in stores:
            store.close()


async def test_a_turn_that_loses_its_lease_stops_and_leaves_the_new_holder_alone(
    moto_endpoint: str, graph: Any, services: Any, tmp_path: Path
) -> None:
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    table = f"leases-{uuid.uuid4().hex[:8]}"
    ensure_lease_table(client, table)
    lease = DynamoDBLease(client, table, ttl_seconds=1.0, owner="runner")
    store = SqliteServerStore(tmp_path / "queue.sqlite")
    hub = EventHub(store)
    runner = TurnRunner(graph, store, hub, QueueFeed(), lease=lease)
    context = Context(customer_id="alex_morgan_1001", model="paced:5")  # a ~9 s reply
    try:
        cursor = await runner.start_customer_turn("conv", "hello there", "web", context)
        events = hub.follow("conv", cursor, until_done=True)
        async for _, event in events:
            if event["type"] == "token":
                break  # mid-turn, holding the lease
        # Another process takes the conversation (as after the lease lapsed unrenewed).
        client.put_item(
            TableName=table,
            Item={
                "conversation_id": {"S": "conv"},
                "owner": {"S": "intruder"},
                "expires_at": {"N": "99999999999"},
            },
        )
        async for _, event in events:
            if event["type"] in ("done", "error"):
                break
        assert event == {
            "type": "error",
            "detail": "The turn was interrupted.",
            "retryable": True,
            "error": "LeaseLost",
        }
        await runner.drain()
        item = client.get_item(TableName=table, Key={"conversation_id": {"S": "conv"}})["Item"]
        assert item["owner"]["S"] == "intruder"
        assert not runner.busy("conv")
    finally:
        store.close()
