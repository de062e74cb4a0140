"""An erased customer's orders keep their accounting record and lose every personal field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tools.orders.erasure import ERASED, erased_order, new_pseudonym
from tools.orders.sqlite_store import SqliteOrderStore


@pytest.fixture
def order_store(shared_backends: dict[str, Any]) -> SqliteOrderStore:
    store: SqliteOrderStore = shared_backends["orders"]
    return store


def test_an_order_keeps_amounts_and_items_but_no_personal_field(order_store):
    order = order_store.get_order_details("#W1234567")
    kept = erased_order(order, "erased_x")
    assert kept["user_id"] == "erased_x"
    assert set(kept["address"]) == set(order["address"])
    assert all(value == "" for value in kept["address"].values())
    assert [p["amount"] for p in kept["payment_history"]] == [
        p["amount"] for p in order["payment_history"]
    ]
    assert all(p["payment_method_id"] == ERASED for p in kept["payment_history"])
    assert kept["items"] == order["items"] and kept["status"] == order["status"]
    assert order["user_id"] == "alex_morgan_1001", "the input is left as it was"


def test_nested_payment_ids_are_blanked_too():
    order = {
        "user_id": "u",
        "return_payment_method_id": "paypal_1",
        "exchange": {"payment_method_id": "credit_card_2", "address": {"zip": "1"}},
    }
    kept = erased_order(order, "p")
    assert "paypal_1" not in json.dumps(kept) and "credit_card_2" not in json.dumps(kept)
    assert kept["exchange"]["address"] == {"zip": ""}


def test_pseudonyms_are_random():
    assert new_pseudonym() != new_pseudonym()


def test_erasing_a_customer_in_the_sqlite_store(order_store, tmp_path):
    store: SqliteOrderStore = order_store.clone(tmp_path / "orders.sqlite")
    orders = store.list_user_orders("alex_morgan_1001")
    address = {
        "user_id": "alex_morgan_1001", "address1": "77 Erasable Lane", "address2": "",
        "city": "Oakland", "state": "CA", "country": "USA", "zip": "94612",
    }  # fmt: skip
    store.apply_once("conv-1:p-1", "modify_user_address", address, "conv-1")
    assert store.applied_action("conv-1:p-1") is not None
    assert store.erase_customer("alex_morgan_1001") == len(orders)
    assert store.applied_action("conv-1:p-1") is None, "the write's record held the address"
    for order in orders:
        kept = store.get_order_details(order["order_id"])
        assert kept["user_id"].startswith("erased_") and kept["items"] == order["items"]
    assert store.erase_customer("alex_morgan_1001") == 0, "erasing again finds nothing"
    store.close()
    written = (tmp_path / "orders.sqlite").read_bytes()
    assert b"alex.morgan@example.com" not in written and b"77 Erasable Lane" not in written
