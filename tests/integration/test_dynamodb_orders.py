"""The DynamoDB order store on moto_server: loading, selection by settings, and writes
that race (conditional writes let only one of two concurrent changes succeed)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloud.aws import aws_client
from config.settings import Settings
from tests.integration.conftest import MOTO_REGION
from tools.orders import OrderToolError, generate_demo_data
from tools.orders.dynamodb_schema import create_orders_table
from tools.orders.dynamodb_session import DynamoDBSession
from tools.orders.dynamodb_store import CONFLICT_MESSAGE, DynamoDBOrderStore
from tools.orders.operations import cancel_pending_order
from tools.orders.seed import (
    DEMO_CREDIT_CARD_ID,
    DEMO_DELIVERED_ORDER_ID,
    DEMO_EMAIL,
    DEMO_PENDING_ORDER_ID,
    DEMO_USER_ID,
)
from wiring.backends import open_order_store

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

WRITES = ("UpdateItem", "TransactWriteItems")
"""The calls a write tool commits with; a rival writes just before them."""


@pytest.fixture(scope="module")
def demo_data() -> dict[str, Any]:
    return generate_demo_data()


@pytest.fixture
def table(moto_endpoint: str, demo_data: dict[str, Any]) -> Iterator[str]:
    """A fresh order table holding the demo data."""
    name = f"orders-{uuid.uuid4().hex[:8]}"
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    assert create_orders_table(client, name)
    DynamoDBOrderStore(client, name).load_tau(
        demo_data["users"], demo_data["orders"], demo_data["products"]
    )
    yield name
    client.delete_table(TableName=name)


def _store(endpoint: str, table: str) -> DynamoDBOrderStore:
    return DynamoDBOrderStore(aws_client("dynamodb", MOTO_REGION, endpoint), table)


def test_load_if_empty_loads_once(moto_endpoint: str, demo_data: dict[str, Any]) -> None:
    name = f"orders-{uuid.uuid4().hex[:8]}"
    store = _store(moto_endpoint, name)
    assert create_orders_table(store._client, name)
    assert not create_orders_table(store._client, name)
    assert store.is_empty()
    records = (demo_data["users"], demo_data["orders"], demo_data["products"])
    assert store.load_tau(*records, if_empty=True)
    assert not store.load_tau(*records, if_empty=True)
    assert store.export_tau() == demo_data
    assert list(store.export_tau()["orders"]) == list(demo_data["orders"])
    store._client.delete_table(TableName=name)


def test_settings_select_the_dynamodb_store(moto_endpoint: str, table: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        aws_region=MOTO_REGION,
        orders_backend="dynamodb",
        dynamodb_endpoint_url=moto_endpoint,
        orders_table=table,
    )
    store = open_order_store(settings)
    assert isinstance(store, DynamoDBOrderStore)
    assert store.find_user_id_by_email(DEMO_EMAIL.upper()) == DEMO_USER_ID
    assert [o["order_id"] for o in store.list_user_orders(DEMO_USER_ID)][:1] == [
        DEMO_PENDING_ORDER_ID
    ]
    assert not (tmp_path / "orders.sqlite").exists()


def test_the_readiness_ping_reads_the_table_and_fails_without_it(
    moto_endpoint: str, table: str
) -> None:
    _store(moto_endpoint, table).ping()
    with pytest.raises(Exception, match=r"ResourceNotFound|non-existent|not found"):
        _store(moto_endpoint, f"{table}-missing").ping()


def test_second_of_two_interleaved_commits_is_refused(moto_endpoint: str, table: str) -> None:
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    first, second = DynamoDBSession(client, table), DynamoDBSession(client, table)
    cancel_pending_order(first, DEMO_PENDING_ORDER_ID, "no longer needed")
    cancel_pending_order(second, DEMO_PENDING_ORDER_ID, "ordered by mistake")
    first.commit()
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        second.commit()
    order = _store(moto_endpoint, table).get_order_details(DEMO_PENDING_ORDER_ID)
    assert order["cancel_reason"] == "no longer needed"
    refunds = [p for p in order["payment_history"] if p["transaction_type"] == "refund"]
    assert len(refunds) == 1


def test_lost_race_is_retried_against_the_new_state(moto_endpoint: str, table: str) -> None:
    """A change committed between our read and our write is kept, not overwritten."""
    store, rival = _store(moto_endpoint, table), _store(moto_endpoint, table)
    interleaved: list[str] = []

    def rival_writes_first(**_: Any) -> None:
        if not interleaved:
            interleaved.append("address")
            rival.modify_pending_order_address(
                DEMO_PENDING_ORDER_ID, "1 Rival Way", "", "Oakland", "CA", "USA", "94607"
            )

    for write in WRITES:
        store._client.meta.events.register(f"before-call.dynamodb.{write}", rival_writes_first)
    order = store.cancel_pending_order(DEMO_PENDING_ORDER_ID, "no longer needed")
    assert interleaved == ["address"]
    assert order["status"] == "cancelled"
    assert order["address"]["address1"] == "1 Rival Way"
    assert store.get_order_details(DEMO_PENDING_ORDER_ID) == order


def test_conflicts_on_every_attempt_give_a_clear_error(moto_endpoint: str, table: str) -> None:
    store, rival = _store(moto_endpoint, table), _store(moto_endpoint, table)
    store.max_attempts = 2
    zips = iter(("94001", "94002", "94003"))

    def rival_always_first(**_: Any) -> None:
        rival.modify_user_address(DEMO_USER_ID, "2 Main St", "", "Oakland", "CA", "USA", next(zips))

    for write in WRITES:
        store._client.meta.events.register(f"before-call.dynamodb.{write}", rival_always_first)
    with pytest.raises(OrderToolError, match=CONFLICT_MESSAGE):
        store.modify_user_address(DEMO_USER_ID, "9 Lost St", "", "Oakland", "CA", "USA", "94999")
    user = rival.get_user_details(DEMO_USER_ID)
    assert (user["address"]["address1"], user["address"]["zip"]) == ("2 Main St", "94002")
    assert rival.find_user_id_by_name_zip("Alex", "Morgan", "94002") == DEMO_USER_ID


def test_concurrent_cancellations_exactly_one_succeeds(moto_endpoint: str, table: str) -> None:
    stores = [_store(moto_endpoint, table) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def cancel(store: DynamoDBOrderStore, reason: str) -> None:
        barrier.wait()
        try:
            store.cancel_pending_order(DEMO_PENDING_ORDER_ID, reason)
            outcomes.append("cancelled")
        except OrderToolError as exc:
            outcomes.append(exc.message)

    threads = [
        threading.Thread(target=cancel, args=(store, reason))
        for store, reason in zip(stores, ("no longer needed", "ordered by mistake"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["cancelled", "non-pending order cannot be cancelled"]
    history = stores[0].get_order_details(DEMO_PENDING_ORDER_ID)["payment_history"]
    assert sum(p["transaction_type"] == "refund" for p in history) == 1


def test_a_record_read_but_not_written_is_checked_too(moto_endpoint: str, table: str) -> None:
    """A return reads the customer's payment methods: a change to the customer between
    that read and the write cancels the transaction, which is then retried."""
    store, rival = _store(moto_endpoint, table), _store(moto_endpoint, table)
    calls: list[str] = []

    def rival_changes_customer(**_: Any) -> None:
        calls.append("transaction")
        if len(calls) == 1:
            rival.modify_user_address(
                DEMO_USER_ID, "3 Side St", "", "Oakland", "CA", "USA", "94003"
            )

    store._client.meta.events.register(
        "before-call.dynamodb.TransactWriteItems", rival_changes_customer
    )
    order = rival.get_order_details(DEMO_DELIVERED_ORDER_ID)
    item_id = order["items"][0]["item_id"]
    returned = store.return_delivered_order_items(
        DEMO_DELIVERED_ORDER_ID, [item_id], DEMO_CREDIT_CARD_ID
    )
    assert calls == ["transaction", "transaction"]
    assert returned["status"] == "return requested"
    assert store.get_user_details(DEMO_USER_ID)["address"]["address1"] == "3 Side St"


def test_apply_once_records_the_key_with_the_write(
    serial_moto_endpoint: str, demo_data: dict[str, Any]
) -> None:
    # Two racing transactions need DynamoDB's atomic conditional writes: the serial server.
    table = f"orders-{uuid.uuid4().hex[:8]}"
    client = aws_client("dynamodb", MOTO_REGION, serial_moto_endpoint)
    assert create_orders_table(client, table)
    DynamoDBOrderStore(client, table).load_tau(
        demo_data["users"], demo_data["orders"], demo_data["products"]
    )
    stores = [_store(serial_moto_endpoint, table) for _ in range(2)]
    args = {"order_id": DEMO_PENDING_ORDER_ID, "reason": "ordered by mistake"}
    barrier = threading.Barrier(2)
    applied: list[bool] = []

    def cancel(store: DynamoDBOrderStore) -> None:
        barrier.wait()
        applied.append(store.apply_once("conv:p1", "cancel_pending_order", args, "conv")[1])

    threads = [threading.Thread(target=cancel, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(applied) == [False, True]
    history = stores[0].get_order_details(DEMO_PENDING_ORDER_ID)["payment_history"]
    assert sum(p["transaction_type"] == "refund" for p in history) == 1
    record = stores[1].applied_action("conv:p1")
    assert record is not None and record["result"]["status"] == "cancelled"
    assert (record["scope"], record["tool"]) == ("conv", "cancel_pending_order")
    assert stores[1].applied_action("conv:p2") is None
