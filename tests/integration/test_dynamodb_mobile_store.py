"""The mobile app's server records on SQLite and in the DynamoDB server table (moto_server):
registered phones (one contract on both backends), client message ids claimed once even
when two stores race, and two server apps on one table sharing phones and refusing a
message id the other took."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloud.aws import aws_client
from conversations.client_messages import ClientMessages, SqliteClientMessages
from conversations.client_messages_dynamodb import DynamoDBClientMessages
from conversations.lease import ensure_lease_table
from conversations.push_devices import MAX_DEVICES, PushDevices, SqlitePushDevices
from conversations.push_devices_dynamodb import DynamoDBPushDevices
from conversations.server_table import TTL_ATTRIBUTE, server_table_spec
from graphs.services import Services
from memory.dynamodb_tables import ensure_table
from server.app import create_app
from tests.integration.conftest import MOTO_REGION
from tests.integration.test_dynamodb_server_store import aws_settings
from tests.server.conftest import Api, parse_sse
from wiring.aws_resources import ensure_dynamodb_resources

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

PHONE = "ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]"
TABLET = "ExponentPushToken[bbbbbbbbbbbbbbbbbbbbbb]"


def _server_table(endpoint: str) -> str:
    name = f"srv-{uuid.uuid4().hex[:8]}"
    ensure_table(aws_client("dynamodb", MOTO_REGION, endpoint), server_table_spec(name))
    return name


def _dynamodb(endpoint: str) -> Any:
    return aws_client("dynamodb", MOTO_REGION, endpoint)


def _on_backend(request: pytest.FixtureRequest, tmp_path: Path, sqlite: Any, dynamodb: Any) -> Any:
    """`sqlite` on a file, or `dynamodb` on a fresh server table, as the fixture's param says."""
    if request.param == "sqlite":
        return sqlite(tmp_path / "devices.sqlite")
    endpoint = request.getfixturevalue("moto_endpoint")
    return dynamodb(_dynamodb(endpoint), _server_table(endpoint))


@pytest.fixture(params=["sqlite", "dynamodb"])
def devices(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PushDevices]:
    store: PushDevices = _on_backend(request, tmp_path, SqlitePushDevices, DynamoDBPushDevices)
    yield store
    store.close()


def test_a_phone_is_registered_listed_refreshed_and_deleted(devices: PushDevices) -> None:
    devices.register("alex", PHONE, "ios")
    devices.register("alex", TABLET, "android")
    assert [(d.token, d.platform) for d in devices.devices("alex")] == [
        (TABLET, "android"),
        (PHONE, "ios"),
    ]
    devices.register("alex", PHONE, "ios")
    assert [d.token for d in devices.devices("alex")] == [PHONE, TABLET], "refreshed first"
    assert devices.devices("sam") == []

    assert devices.unregister("sam", PHONE) is False, "not sam's phone"
    assert devices.unregister("alex", PHONE) is True
    assert devices.unregister("alex", PHONE) is False
    assert [d.token for d in devices.devices("alex")] == [TABLET]


def test_a_phone_moves_to_the_last_customer_and_a_dead_one_is_forgotten(
    devices: PushDevices,
) -> None:
    devices.register("alex", PHONE, "ios")
    devices.register("sam", PHONE, "ios")
    assert devices.devices("alex") == []
    assert [d.customer_id for d in devices.devices("sam")] == ["sam"]
    assert devices.unregister("alex", PHONE) is False, "alex signed out after sam signed in"
    assert [d.token for d in devices.devices("sam")] == [PHONE]

    devices.forget(PHONE)
    assert devices.devices("sam") == []
    devices.register("alex", PHONE, "ios")
    assert [d.token for d in devices.devices("alex")] == [PHONE], "a forgotten token comes back"


def test_only_the_most_recent_phones_are_kept(devices: PushDevices) -> None:
    tokens = [f"ExponentPushToken[{n:022d}]" for n in range(MAX_DEVICES + 2)]
    for token in tokens:
        devices.register("alex", token, "android")
    kept = [d.token for d in devices.devices("alex")]
    assert kept == list(reversed(tokens))[:MAX_DEVICES]
    devices.register("sam", tokens[0], "ios")
    assert [d.token for d in devices.devices("sam")] == [tokens[0]], "a trimmed token is free"


def test_registering_one_phone_for_two_customers_at_once_leaves_one_owner(
    serial_moto_endpoint: str,
) -> None:
    table = _server_table(serial_moto_endpoint)
    stores = [DynamoDBPushDevices(_dynamodb(serial_moto_endpoint), table) for _ in range(2)]
    try:
        for round_ in range(5):
            token = f"ExponentPushToken[race{round_:018d}]"
            barrier = threading.Barrier(2)

            def register(
                pair: tuple[DynamoDBPushDevices, str],
                token: str = token,
                barrier: threading.Barrier = barrier,
            ) -> None:
                barrier.wait()
                pair[0].register(pair[1], token, "ios")

            with ThreadPoolExecutor(2) as pool:
                list(pool.map(register, zip(stores, ["alex", "sam"], strict=True)))
            owners = [c for c in ("alex", "sam") if token in _tokens(stores[0], c)]
            assert len(owners) == 1, f"round {round_}: {owners}"
            assert stores[1].unregister(owners[0], token) is True
    finally:
        for store in stores:
            store.close()


def _tokens(store: PushDevices, customer_id: str) -> list[str]:
    return [d.token for d in store.devices(customer_id)]


@pytest.fixture(params=["sqlite", "dynamodb"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClientMessages]:
    store: ClientMessages = _on_backend(
        request, tmp_path, SqliteClientMessages, DynamoDBClientMessages
    )
    yield store
    store.close()


def test_a_client_message_id_is_claimed_once_per_conversation(ledger: ClientMessages) -> None:
    assert ledger.claim("c1", "m-0001") is True
    assert ledger.claim("c1", "m-0001") is False
    assert ledger.claim("c2", "m-0001") is True, "ids are per conversation"
    ledger.release("c1", "m-0001")
    assert ledger.claim("c1", "m-0001") is True, "a released id is accepted again"


def test_a_dynamodb_id_expires_after_the_keep_period(moto_endpoint: str) -> None:
    table = _server_table(moto_endpoint)
    client = _dynamodb(moto_endpoint)
    expired = DynamoDBClientMessages(client, table, keep_seconds=-10)
    assert expired.claim("c1", "m-0001") is True
    item = client.get_item(
        TableName=table, Key={"PK": {"S": "CONV#c1"}, "SK": {"S": "MSGID#m-0001"}}
    )["Item"]
    assert TTL_ATTRIBUTE in item, "DynamoDB's Time to Live deletes the item"
    described = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert described["AttributeName"] == TTL_ATTRIBUTE
    kept = DynamoDBClientMessages(client, table)
    assert kept.claim("c1", "m-0001") is True, "an expired id not deleted yet counts as gone"
    assert kept.claim("c1", "m-0001") is False
    kept.close()


def test_racing_claims_of_one_id_on_one_table_accept_it_once(serial_moto_endpoint: str) -> None:
    table = _server_table(serial_moto_endpoint)
    ledgers = [DynamoDBClientMessages(_dynamodb(serial_moto_endpoint), table) for _ in range(4)]
    try:
        for round_ in range(5):
            barrier = threading.Barrier(len(ledgers))

            def claim(
                ledger: DynamoDBClientMessages,
                message: str = f"m-{round_}",
                barrier: threading.Barrier = barrier,
            ) -> bool:
                barrier.wait()
                return ledger.claim("c1", message)

            with ThreadPoolExecutor(len(ledgers)) as pool:
                results = list(pool.map(claim, ledgers))
            assert sorted(results) == [False, False, False, True], f"round {round_}"
    finally:
        for ledger in ledgers:
            ledger.close()


# two server apps on one table -------------------------------------------------------------


@pytest.fixture
def two_servers(
    serial_moto_endpoint: str, tmp_path: Path, services: Services
) -> Iterator[tuple[Api, Api]]:
    """Two apps with their own data folders (nothing shared on disk) on one set of tables."""
    first = aws_settings(
        serial_moto_endpoint,
        tmp_path / "one",
        model="",
        rate_limit_per_minute=1000,
        lease_backend="dynamodb",
        lease_table=f"lease-{uuid.uuid4().hex[:8]}",
    )
    ensure_dynamodb_resources(first)
    ensure_lease_table(_dynamodb(serial_moto_endpoint), first.lease_table)
    second = first.model_copy(update={"data_dir": tmp_path / "two" / "data"})
    first_app, second_app = create_app(first, services), create_app(second, services)
    with TestClient(first_app) as one, TestClient(second_app) as two:
        yield Api(one, first), Api(two, second)


def _post(api: Api, conversation: str, text: str, message_id: str) -> tuple[int, Any]:
    with api.client.stream(
        "POST",
        f"/v1/conversations/{conversation}/messages",
        json={"text": text, "client_message_id": message_id},
        headers=api.customer(),
    ) as response:
        if response.status_code != 200:
            response.read()
            return response.status_code, response.json()
        return 200, parse_sse(response.iter_lines())


def _customer_texts(api: Api, conversation: str) -> list[str]:
    messages = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.customer()
    ).json()
    return [m["text"] for m in messages["items"] if m["role"] == "customer"]


def test_a_phone_registered_on_one_server_is_listed_and_deleted_on_the_other(
    two_servers: tuple[Api, Api],
) -> None:
    one, two = two_servers
    registered = one.client.post(
        "/v1/devices", json={"token": PHONE, "platform": "ios"}, headers=one.customer()
    )
    assert registered.status_code == 201, registered.text
    listed = two.client.get("/v1/devices", headers=two.customer()).json()
    assert [d["token"] for d in listed] == [PHONE]
    assert two.client.delete(f"/v1/devices/{PHONE}", headers=two.customer()).status_code == 204
    assert one.client.get("/v1/devices", headers=one.customer()).json() == []


def test_a_message_retried_on_the_other_server_is_taken_once(
    two_servers: tuple[Api, Api],
) -> None:
    one, two = two_servers
    conversation = one.new_conversation(one.customer())
    text = "where is my order #W1234567?"
    status, events = _post(one, conversation, text, "m-retry-0001")
    assert status == 200 and events[-1]["type"] == "done"
    status, problem = _post(two, conversation, text, "m-retry-0001")
    assert status == 409 and problem["code"] == "duplicate_message"
    assert _customer_texts(two, conversation) == [text]


def test_one_message_sent_to_both_servers_at_once_makes_one_turn(
    two_servers: tuple[Api, Api],
) -> None:
    one, two = two_servers
    conversation = one.new_conversation(one.customer())
    text = "where is my order #W1234567?"
    barrier = threading.Barrier(2)

    def send(api: Api) -> tuple[int, Any]:
        barrier.wait()
        return _post(api, conversation, text, "m-race-0001")

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(send, [one, two]))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    refused = next(body for status, body in results if status == 409)
    assert refused["code"] == "duplicate_message"
    assert _customer_texts(one, conversation) == [text]
