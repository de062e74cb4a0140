"""A customer's rights of access and erasure through the admin API, on the SQLite profile:
the export holds everything, and after the erasure no file of the data folder holds
anything of the customer (their orders stay, blanked, for accounting)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from conversations.channel_store_sqlite import SqliteChannelStore
from graphs.services import Services
from memory.long_term import CustomerMemory
from server.app import create_app
from tests.server.conftest import Api

CUSTOMER = "alex_morgan_1001"
OTHER = "aiden_garcia_4259"
TRACES = (
    CUSTOMER,
    "alex.morgan@example.com",
    "Morgan",
    "500 Howard Street",
    "credit_card_1001001",
    "gift_card_1001002",
)
"""The customer's id, email, last name, street and payment method ids."""


@pytest.fixture
def disk_api(tmp_path: Path, services: Services) -> Iterator[tuple[Api, Settings, Any]]:
    """The app with every store on disk in one data folder (the embedded profile)."""
    settings = Settings(
        data_dir=tmp_path / "data", model="", checkpointer="sqlite", rate_limit_per_minute=1000
    )
    settings.data_dir.mkdir(parents=True)
    orders = services.orders.clone(settings.orders_db)  # type: ignore[attr-defined]
    app = create_app(settings, dataclasses.replace(services, orders=orders))
    with TestClient(app) as client:
        yield Api(client, settings), settings, app


def _files_holding(folder: Path, needles: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits = [n for n in needles if n.encode() in data]
            if hits:
                found[str(path.relative_to(folder))] = hits
    return found


def _admin(api: Api) -> dict[str, str]:
    return api.token("admin", "root")


def _converse(api: Api, app: Any) -> str:
    customer = api.customer(CUSTOMER)
    first = api.new_conversation(customer)
    api.say(
        first, "where is my order #W1234567? I'm Alex Morgan, alex.morgan@example.com", customer
    )
    second = api.new_conversation(customer)
    api.say(second, "a human please", customer)
    # A delivery note the customer attached: a file in the attachment store holding the street.
    note = b"%PDF-1.4\n% delivery note: Alex Morgan, 500 Howard Street\n%%EOF\n"
    uploaded = api.client.post(
        f"/v1/conversations/{second}/attachments",
        files={"file": ("delivery note.pdf", note, "application/pdf")},
        headers=customer,
    )
    assert uploaded.status_code == 201, uploaded.text
    api.say(second, "here is the delivery note", customer, attachments=[uploaded.json()["id"]])
    runtime = app.state.runtime
    tenant = runtime.services.tenant(runtime.context_for(CUSTOMER))
    memory = CustomerMemory(runtime.memory, tenant)
    memory.save_profile(CUSTOMER, {"name": "Alex Morgan", "email": "alex.morgan@example.com"})
    memory.update_preferences(CUSTOMER, language="en")
    other = api.customer(OTHER)
    api.say(api.new_conversation(other), "where is my order?", other)
    # The handed-off conversation is also answered by email: its thread holds the address.
    channels = SqliteChannelStore(runtime.settings.channels_db)
    channels.save_thread(
        {"conversation_id": second, "channel": "email", "address": "alex.morgan@example.com"}
    )
    channels.link("email", ["<order-help@mail.example.com>"], second)
    channels.close()
    return second


def test_export_holds_everything_about_the_customer(disk_api):
    api, _settings, app = disk_api
    handed_off = _converse(api, app)
    response = api.client.get(f"/v1/admin/customers/{CUSTOMER}/export", headers=_admin(api))
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["customer_id"] == CUSTOMER
    assert document["account"]["email"] == "alex.morgan@example.com"
    assert {o["order_id"] for o in document["orders"]} >= {"#W1234567"}
    assert document["memory"]["profile"]["name"] == "Alex Morgan"
    assert len(document["conversations"]) == 2
    by_id = {c["record"]["id"]: c for c in document["conversations"]}
    assert by_id[handed_off]["handoff"]["customer_id"] == CUSTOMER
    for conversation in document["conversations"]:
        types = [e["type"] for e in conversation["events"]]
        assert "customer_message" in types and "done" in types
        assert conversation["state"]["messages"], "the latest checkpoint's messages"
    assert OTHER not in json.dumps(document)


def test_only_admins_may_export_or_erase(disk_api):
    api, _settings, _app = disk_api
    for headers in (api.customer(CUSTOMER), api.agent()):
        assert (
            api.client.get(f"/v1/admin/customers/{CUSTOMER}/export", headers=headers).status_code
            == 403
        )
        assert (
            api.client.delete(f"/v1/admin/customers/{CUSTOMER}", headers=headers).status_code == 403
        )
    assert api.client.delete(f"/v1/admin/customers/{CUSTOMER}").status_code == 401
    for bad_id in ("a%20b", ".yHuNHdOi"):
        bad = api.client.delete(f"/v1/admin/customers/{bad_id}", headers=_admin(api))
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")


def test_nothing_of_the_customer_remains_after_erasure(disk_api):
    api, settings, app = disk_api
    _converse(api, app)
    before = _files_holding(settings.data_dir, TRACES)
    held = {Path(p).name.removesuffix("-wal") for p in before}
    # The traces are there to be found before the erasure, in every store.
    stores = (
        settings.checkpoint_db, settings.orders_db, settings.queue_db, settings.memory_db,
        settings.channels_db,
    )  # fmt: skip
    assert held >= {db.name for db in stores} | {"delivery_note.pdf"}, before

    response = api.client.delete(f"/v1/admin/customers/{CUSTOMER}", headers=_admin(api))
    assert response.status_code == 200, response.text
    erased = response.json()["erased"]
    assert erased["conversations"] == 2 and erased["events"] > 0
    assert erased["channel_threads"] == 1 and erased["attachments"] == 1
    assert erased["memory_items"] >= 2 and erased["orders_blanked"] == 4

    assert _files_holding(settings.data_dir, TRACES) == {}
    order = app.state.runtime.services.orders.get_order_details("#W1234567")
    assert order["user_id"].startswith("erased_") and order["address"]["zip"] == ""
    assert order["items"], "the order itself is kept for accounting"
    assert (
        api.client.get(f"/v1/admin/customers/{CUSTOMER}/export", headers=_admin(api)).json()[
            "conversations"
        ]
        == []
    )
    other = api.client.get(f"/v1/admin/customers/{OTHER}/export", headers=_admin(api)).json()
    assert len(other["conversations"]) == 1 and other["account"] is not None
