"""Behaviour of the order store: τ-bench tool semantics, seeding, export and threads."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from tools.orders import (
    OrderStore,
    OrderToolError,
    SqliteOrderStore,
    StateHasher,
    calculate,
    changed_records,
    ensure_seeded,
    generate_demo_data,
    invoke_tool,
    seed_store,
    state_sha256,
    think,
    transfer_to_human_agents,
)
from tools.orders import seed as demo

WIDGET, GADGET = "1000000001", "1000000002"
FIELDS = ("address1", "address2", "city", "state", "country", "zip")


def _variant(item_id: str, price: float, available: bool = True) -> dict[str, Any]:
    return {"item_id": item_id, "options": {"tag": item_id}, "available": available, "price": price}


def _user(email: str, methods: list[dict[str, Any]], orders: list[str]) -> dict[str, Any]:
    return {
        "name": {"first_name": "Uma", "last_name": "One"},
        "address": dict(ADDRESS),
        "email": email,
        "payment_methods": {m["id"]: m for m in methods},
        "orders": orders,
    }


def _order(oid: str, status: str, items: list[dict[str, Any]], method: str) -> dict[str, Any]:
    amount = round(sum(item["price"] for item in items), 2)
    shipped = [{"tracking_id": ["123456789012"], "item_ids": [i["item_id"] for i in items]}]
    return {
        "order_id": oid,
        "user_id": "uma_one_1",
        "address": dict(ADDRESS),
        "items": items,
        "fulfillments": [] if status == "pending" else shipped,
        "status": status,
        "payment_history": [
            {"transaction_type": "payment", "amount": amount, "payment_method_id": method}
        ],
    }


ADDRESS = dict(zip(FIELDS, ("1 Main St", "", "Springfield", "IL", "USA", "62701"), strict=True))


def tiny_data() -> dict[str, dict[str, Any]]:
    """A hand-built τ-shaped store with known prices and balances."""
    widget = [_variant("w_small", 10.1), _variant("w_large", 300.2), _variant("w_gone", 20, False)]
    gadget = [_variant("g_one", 50.0), _variant("g_two", 45.5)]
    products = {
        pid: {"name": name, "product_id": pid, "variants": {v["item_id"]: v for v in variants}}
        for pid, name, variants in ((WIDGET, "Widget", widget), (GADGET, "Gadget", gadget))
    }
    card = {"source": "credit_card", "brand": "visa", "last_four": "1111", "id": "credit_card_1"}
    gift = {"source": "gift_card", "balance": 100, "id": "gift_card_1"}
    users = {
        "uma_one_1": _user(
            "Uma.One@example.com",
            [card, gift, {"source": "paypal", "id": "paypal_1"}],
            ["#P1", "#D1", "#R1"],
        ),
        "uma_two_2": _user("uma.one@example.com", [{"source": "paypal", "id": "paypal_2"}], []),
    }

    def line(product_id: str, item_id: str) -> dict[str, Any]:
        variant = products[product_id]["variants"][item_id]
        name = products[product_id]["name"]
        return {"name": name, "product_id": product_id, "item_id": item_id,
                "price": variant["price"], "options": variant["options"]}  # fmt: skip

    small, g_one = line(WIDGET, "w_small"), line(GADGET, "g_one")
    orders = {
        "#P1": _order("#P1", "pending", [small, g_one], "gift_card_1"),
        "#D1": _order("#D1", "delivered", copy.deepcopy([small, small, g_one]), "credit_card_1"),
        "#R1": _order("#R1", "processed", [line(GADGET, "g_two")], "paypal_1"),
    }
    return {"users": users, "orders": orders, "products": products}


@pytest.fixture
def tiny() -> SqliteOrderStore:
    store = SqliteOrderStore()
    data = tiny_data()
    store.load_tau(data["users"], data["orders"], data["products"])
    return store


@pytest.fixture
def shop() -> SqliteOrderStore:
    store = SqliteOrderStore()
    seed_store(store)
    return store


def refused(message: str) -> Any:
    return pytest.raises(OrderToolError, match=f"^{re.escape(message)}$")


def balance(store: SqliteOrderStore, user_id: str, method: str) -> Any:
    return store.get_user_details(user_id)["payment_methods"][method]["balance"]


# -- lookups -------------------------------------------------------------------------


def test_store_satisfies_protocol(tiny: SqliteOrderStore) -> None:
    assert isinstance(tiny, OrderStore)


def test_find_user_by_email_is_case_insensitive_and_first_match(tiny: SqliteOrderStore) -> None:
    assert tiny.find_user_id_by_email("UMA.ONE@EXAMPLE.COM") == "uma_one_1"
    with refused("user not found"):
        tiny.find_user_id_by_email("nobody@example.com")


def test_find_user_by_name_zip(tiny: SqliteOrderStore) -> None:
    assert tiny.find_user_id_by_name_zip("uma", "ONE", "62701") == "uma_one_1"
    with refused("user not found"):
        tiny.find_user_id_by_name_zip("Uma", "One", "00000")


def test_get_details_and_unknown_ids(tiny: SqliteOrderStore) -> None:
    assert tiny.get_user_details("uma_one_1")["orders"] == ["#P1", "#D1", "#R1"]
    assert tiny.get_order_details("#D1")["status"] == "delivered"
    assert tiny.get_product_details(GADGET)["name"] == "Gadget"
    with refused("user not found"):
        tiny.get_user_details("ghost")
    with refused("order not found"):
        tiny.get_order_details("#W0000000")
    with refused("product not found"):
        tiny.get_product_details("0")


def test_list_all_product_types_sorted_by_name(shop: SqliteOrderStore) -> None:
    types = shop.list_all_product_types()
    assert len(types) == 20
    assert list(types) == sorted(types)
    assert shop.get_product_details(types["Laptop"])["name"] == "Laptop"


def test_list_user_orders_and_ownership(shop: SqliteOrderStore) -> None:
    mine = [o["order_id"] for o in shop.list_user_orders(demo.DEMO_USER_ID)]
    assert mine == [
        demo.DEMO_PENDING_ORDER_ID,
        demo.DEMO_DELIVERED_ORDER_ID,
        demo.DEMO_PROCESSED_ORDER_ID,
        demo.DEMO_HIGH_VALUE_ORDER_ID,
    ]
    assert demo.OTHER_PENDING_ORDER_ID not in mine
    theirs = shop.list_user_orders(demo.OTHER_USER_ID)
    assert [o["order_id"] for o in theirs] == [demo.OTHER_PENDING_ORDER_ID]
    assert theirs[0]["user_id"] == demo.OTHER_USER_ID
    with refused("user not found"):
        shop.list_user_orders("ghost")


def test_find_item(tiny: SqliteOrderStore) -> None:
    item = tiny.find_item("w_large")
    assert item is not None
    assert (item["product_id"], item["name"], item["price"]) == (WIDGET, "Widget", 300.2)
    assert tiny.find_item("nope") is None


# -- cancel --------------------------------------------------------------------------


def test_cancel_refunds_gift_card_immediately(tiny: SqliteOrderStore) -> None:
    order = tiny.cancel_pending_order("#P1", "ordered by mistake")
    assert order["status"] == "cancelled"
    assert order["cancel_reason"] == "ordered by mistake"
    assert order["payment_history"][-1] == {
        "transaction_type": "refund",
        "amount": 60.1,
        "payment_method_id": "gift_card_1",
    }
    assert balance(tiny, "uma_one_1", "gift_card_1") == 160.1
    assert tiny.get_order_details("#P1") == order


def test_cancel_refusals(tiny: SqliteOrderStore) -> None:
    with refused("order not found"):
        tiny.cancel_pending_order("#X", "no longer needed")
    with refused("non-pending order cannot be cancelled"):
        tiny.cancel_pending_order("#D1", "no longer needed")
    with refused("invalid reason"):
        tiny.cancel_pending_order("#P1", "changed my mind")


def test_refusal_leaves_store_unchanged(tiny: SqliteOrderStore) -> None:
    before = tiny.export_documents()
    with refused("insufficient gift card balance to pay for the new item"):
        tiny.modify_pending_order_items("#P1", ["w_small"], ["w_large"], "gift_card_1")
    assert tiny.export_documents() == before


# -- pending-order modifications -------------------------------------------------------


def test_modify_items_settles_difference(tiny: SqliteOrderStore) -> None:
    order = tiny.modify_pending_order_items("#P1", ["g_one"], ["g_two"], "gift_card_1")
    assert order["status"] == "pending (item modified)"
    assert order["items"][1]["item_id"] == "g_two" and order["items"][1]["price"] == 45.5
    assert order["payment_history"][-1] == {
        "transaction_type": "refund",
        "amount": 4.5,
        "payment_method_id": "gift_card_1",
    }
    assert balance(tiny, "uma_one_1", "gift_card_1") == 104.5
    with refused("non-pending order cannot be modified"):
        tiny.modify_pending_order_items("#P1", ["g_two"], ["g_one"], "gift_card_1")


def test_modify_items_refusals(tiny: SqliteOrderStore) -> None:
    with refused("non-pending order cannot be modified"):
        tiny.modify_pending_order_items("#D1", ["g_one"], ["g_two"], "credit_card_1")
    with refused("g_two not found"):
        tiny.modify_pending_order_items("#P1", ["g_two"], ["g_one"], "credit_card_1")
    with refused("w_small not found"):
        tiny.modify_pending_order_items("#P1", ["w_small", "w_small"], ["w_large"] * 2, "paypal_1")
    with refused("the number of items to be exchanged should match"):
        tiny.modify_pending_order_items("#P1", ["w_small"], [], "credit_card_1")
    with refused("new item g_two not found or available"):
        tiny.modify_pending_order_items("#P1", ["w_small"], ["g_two"], "credit_card_1")
    with refused("new item w_gone not found or available"):
        tiny.modify_pending_order_items("#P1", ["w_small"], ["w_gone"], "credit_card_1")
    with refused("payment method not found"):
        tiny.modify_pending_order_items("#P1", ["w_small"], ["w_large"], "paypal_2")
    with refused("insufficient gift card balance to pay for the new item"):
        tiny.modify_pending_order_items("#P1", ["w_small"], ["w_large"], "gift_card_1")


def test_modify_payment(tiny: SqliteOrderStore) -> None:
    with refused("payment method not found"):
        tiny.modify_pending_order_payment("#P1", "credit_card_9")
    with refused("the new payment method should be different from the current one"):
        tiny.modify_pending_order_payment("#P1", "gift_card_1")
    with refused("non-pending order cannot be modified"):
        tiny.modify_pending_order_payment("#R1", "credit_card_1")
    order = tiny.modify_pending_order_payment("#P1", "credit_card_1")
    assert [p["transaction_type"] for p in order["payment_history"]] == [
        "payment",
        "payment",
        "refund",
    ]
    assert order["payment_history"][2]["payment_method_id"] == "gift_card_1"
    assert balance(tiny, "uma_one_1", "gift_card_1") == 160.1
    with refused("there should be exactly one payment for a pending order"):
        tiny.modify_pending_order_payment("#P1", "paypal_1")


def test_modify_payment_gift_card_insufficient(shop: SqliteOrderStore) -> None:
    with refused("insufficient gift card balance to pay for the order"):
        shop.modify_pending_order_payment(demo.DEMO_PENDING_ORDER_ID, demo.DEMO_GIFT_CARD_ID)


def test_modify_order_address(tiny: SqliteOrderStore) -> None:
    args = ("9 Elm St", "Apt 2", "Boston", "MA", "USA", "02110")
    order = tiny.modify_pending_order_address("#P1", *args)
    assert order["address"] == dict(zip(FIELDS, args, strict=True))
    with refused("non-pending order cannot be modified"):
        tiny.modify_pending_order_address("#D1", *args)
    with refused("order not found"):
        tiny.modify_pending_order_address("#nope", *args)


def test_modify_user_address_updates_lookup(tiny: SqliteOrderStore) -> None:
    user = tiny.modify_user_address("uma_one_1", "9 Elm St", "", "Boston", "MA", "USA", "02110")
    assert user["address"]["zip"] == "02110"
    assert list(user) == ["name", "address", "email", "payment_methods", "orders"]
    assert tiny.find_user_id_by_name_zip("Uma", "One", "02110") == "uma_one_1"
    assert tiny.find_user_id_by_name_zip("Uma", "One", "62701") == "uma_two_2"
    with refused("user not found"):
        tiny.modify_user_address("ghost", "a", "b", "c", "d", "e", "f")


# -- delivered-order returns and exchanges ---------------------------------------------


def test_return_items(tiny: SqliteOrderStore) -> None:
    with refused("payment method should be either the original payment method or a gift card"):
        tiny.return_delivered_order_items("#D1", ["g_one"], "paypal_1")
    with refused("some item not found"):
        tiny.return_delivered_order_items("#D1", ["g_one", "g_one"], "credit_card_1")
    with refused("non-delivered order cannot be returned"):
        tiny.return_delivered_order_items("#P1", ["g_one"], "gift_card_1")
    with refused("payment method not found"):
        tiny.return_delivered_order_items("#D1", ["g_one"], "paypal_2")
    order = tiny.return_delivered_order_items("#D1", ["w_small", "g_one", "w_small"], "gift_card_1")
    assert order["status"] == "return requested"
    assert order["return_items"] == ["g_one", "w_small", "w_small"]
    assert order["return_payment_method_id"] == "gift_card_1"


def test_exchange_items(tiny: SqliteOrderStore) -> None:
    with refused("non-delivered order cannot be exchanged"):
        tiny.exchange_delivered_order_items("#R1", ["g_two"], ["g_one"], "paypal_1")
    with refused("new item g_two not found or available"):
        tiny.exchange_delivered_order_items("#D1", ["w_small"], ["g_two"], "credit_card_1")
    with refused("insufficient gift card balance to pay for the price difference"):
        tiny.exchange_delivered_order_items("#D1", ["w_small"], ["w_large"], "gift_card_1")
    order = tiny.exchange_delivered_order_items(
        "#D1", ["w_small", "g_one"], ["w_large", "g_two"], "credit_card_1"
    )
    assert order["status"] == "exchange requested"
    assert order["exchange_items"] == ["g_one", "w_small"]
    assert order["exchange_new_items"] == ["g_two", "w_large"]
    assert order["exchange_price_difference"] == round(300.2 - 10.1 + 45.5 - 50.0, 2)
    assert tiny.get_order_details("#D1")["items"][0]["item_id"] == "w_small"


# -- dispatcher and stateless tools ----------------------------------------------------


def test_invoke_tool_observations(tiny: SqliteOrderStore) -> None:
    assert invoke_tool(tiny, "get_order_details", {"order_id": "#nope"}) == (
        "Error: order not found"
    )
    text = invoke_tool(tiny, "get_order_details", {"order_id": "#R1"})
    assert json.loads(text) == tiny.get_order_details("#R1")
    assert invoke_tool(tiny, "find_user_id_by_email", {"email": "uma.one@example.com"}) == (
        "uma_one_1"
    )
    assert invoke_tool(tiny, "fly_to_moon", {}) == "Unknown action fly_to_moon"
    assert invoke_tool(tiny, "think", {"thought": "hmm"}) == ""
    assert invoke_tool(tiny, "transfer_to_human_agents", {"summary": "s"}) == (
        "Transfer successful"
    )


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@pytest.mark.parametrize(
    "expression",
    [
        "2 + 2",
        "10 / 3",
        "(1.5 + 2.25) * 4",
        "-3 - -2",
        "2 ** 10",
        "7 // 2",
        "0.1 + 0.2",
        "1 / 0",
        "1.0 / 0",
        "()",
        "(1)(2)",
        "1 +",
        "",
        "2 ** -1",
        "((2))",
    ],
)
def test_calculate_matches_reference_eval(expression: str) -> None:
    try:
        expected = str(round(float(eval(expression, {"__builtins__": None}, {})), 2))
    except Exception as exc:
        expected = f"Error: {exc}"
    try:
        got = calculate(expression)
    except OrderToolError as exc:
        got = exc.observation()
    assert got == expected


def test_calculate_refuses_other_input() -> None:
    with refused("invalid characters in expression"):
        calculate("__import__('os')")
    with refused("exponent too large"):
        calculate("9 ** 9 ** 9")
    assert think("anything") == ""
    assert transfer_to_human_agents("summary") == "Transfer successful"


# -- seeding, export and hashing -------------------------------------------------------


def test_seed_is_deterministic() -> None:
    first, second = generate_demo_data(7), generate_demo_data(7)
    assert json.dumps(first) == json.dumps(second)
    assert state_sha256(first) != state_sha256(generate_demo_data(8))
    a, b = SqliteOrderStore(), SqliteOrderStore()
    seed_store(a)
    seed_store(b)
    assert state_sha256(a.export_tau()) == state_sha256(b.export_tau()) == state_sha256(first)
    assert json.dumps(a.export_tau()) == json.dumps(
        {k: first[k] for k in ("users", "orders", "products")}
    )


def test_seed_shape_and_consistency() -> None:
    data = generate_demo_data()
    users, orders, products = data["users"], data["orders"], data["products"]
    assert (len(users), len(orders), len(products)) == (60, 200, 20)
    assert {o["status"] for o in orders.values()} == {
        "pending",
        "processed",
        "delivered",
        "cancelled",
    }
    assert {m["source"] for u in users.values() for m in u["payment_methods"].values()} == {
        "credit_card",
        "paypal",
        "gift_card",
    }
    assert len({u["email"] for u in users.values()}) == 60
    assert all(u["email"].endswith("@example.com") for u in users.values())
    catalogue = {i: p for p in products.values() for i in p["variants"]}
    for oid, order in orders.items():
        assert oid in users[order["user_id"]]["orders"]
        assert (
            order["payment_history"][0]["payment_method_id"]
            in (users[order["user_id"]]["payment_methods"])
        )
        assert all(catalogue[i["item_id"]]["product_id"] == i["product_id"] for i in order["items"])
        shipped = order["status"] in ("processed", "delivered")
        assert bool(order["fulfillments"]) == shipped
        assert sum(p["amount"] for p in order["payment_history"][:1]) == round(
            sum(i["price"] for i in order["items"]), 2
        )


def test_fixed_demo_records(shop: SqliteOrderStore) -> None:
    assert shop.find_user_id_by_email(demo.DEMO_EMAIL) == demo.DEMO_USER_ID
    assert shop.find_user_id_by_name_zip("Alex", "Morgan", "94107") == demo.DEMO_USER_ID
    alex = shop.get_user_details(demo.DEMO_USER_ID)
    assert alex["payment_methods"][demo.DEMO_CREDIT_CARD_ID]["source"] == "credit_card"
    assert alex["payment_methods"][demo.DEMO_GIFT_CARD_ID]["balance"] == 150.0
    pending = shop.get_order_details("#W1234567")
    assert (pending["status"], len(pending["items"])) == ("pending", 2)
    delivered = shop.get_order_details("#W2345678")
    assert (delivered["status"], len(delivered["items"])) == ("delivered", 2)
    assert delivered["payment_history"][0]["amount"] < 1000
    processed = shop.get_order_details("#W3456789")
    assert processed["status"] == "processed" and processed["fulfillments"][0]["tracking_id"]
    laptop = shop.get_order_details("#W4567890")
    assert laptop["status"] == "delivered" and laptop["payment_history"][0]["amount"] > 1000
    assert laptop["items"][0]["name"] == "Laptop"
    assert shop.find_user_id_by_email("sam.lee@example.com") == "sam_lee_2002"
    assert shop.find_user_id_by_name_zip("Sam", "Lee", "10001") == "sam_lee_2002"
    sam_order = shop.get_order_details("#W7654321")
    assert (sam_order["user_id"], sam_order["status"]) == ("sam_lee_2002", "pending")


def test_ensure_seeded_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "orders.db"
    store = ensure_seeded(path)
    store.cancel_pending_order(demo.DEMO_PENDING_ORDER_ID, "no longer needed")
    store.close()
    again = ensure_seeded(path)
    assert again.get_order_details(demo.DEMO_PENDING_ORDER_ID)["status"] == "cancelled"
    assert len(again.export_tau()["orders"]) == 200
    assert not again.load_tau({}, {}, {}, if_empty=True)
    again.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_clone_is_independent(shop: SqliteOrderStore) -> None:
    copy_store = shop.clone()
    copy_store.cancel_pending_order(demo.DEMO_PENDING_ORDER_ID, "no longer needed")
    assert shop.get_order_details(demo.DEMO_PENDING_ORDER_ID)["status"] == "pending"
    changed = changed_records(shop.export_documents(), copy_store.export_documents())
    assert list(changed) == ["orders"] and list(changed["orders"]) == [demo.DEMO_PENDING_ORDER_ID]


def test_state_hasher_matches_state_sha256(tiny: SqliteOrderStore) -> None:
    hasher = StateHasher()
    assert hasher.digest(tiny.export_documents()) == state_sha256(tiny.export_tau())
    tiny.cancel_pending_order("#P1", "no longer needed")
    assert hasher.digest(tiny.export_documents()) == state_sha256(tiny.export_tau())
    single = {"users": {"u": {"a": [1, 2]}}, "orders": {}, "products": {}}
    docs = {t: {k: json.dumps(v) for k, v in recs.items()} for t, recs in single.items()}
    assert StateHasher().digest(docs) == state_sha256(copy.deepcopy(single))


# -- threads ---------------------------------------------------------------------------


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = ensure_seeded(tmp_path / "orders.db")
    other = SqliteOrderStore(tmp_path / "orders.db")
    orders = store.export_tau()["orders"]
    pending = [
        o
        for o, d in orders.items()
        if d["status"] == "pending" and o != demo.OTHER_PENDING_ORDER_ID
    ][:8]
    errors: list[BaseException] = []
    outcomes: list[str] = []

    def worker(index: int) -> None:
        target = store if index % 2 else other
        try:
            for _ in range(20):
                target.get_user_details(demo.DEMO_USER_ID)
                target.list_user_orders(demo.DEMO_USER_ID)
            target.cancel_pending_order(pending[index], "no longer needed")
            try:
                target.cancel_pending_order(demo.OTHER_PENDING_ORDER_ID, "no longer needed")
                outcomes.append("cancelled")
            except OrderToolError as exc:
                outcomes.append(exc.message)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["cancelled"] + ["non-pending order cannot be cancelled"] * 7
    assert all(store.get_order_details(o)["status"] == "cancelled" for o in pending)
    history = other.get_order_details(demo.OTHER_PENDING_ORDER_ID)["payment_history"]
    assert [p["transaction_type"] for p in history] == ["payment", "refund"]
    store.close()
    other.close()


# -- idempotency keys ----------------------------------------------------------------


def test_apply_once_applies_a_key_once_and_reports_it(shop: SqliteOrderStore) -> None:
    args = {"order_id": demo.DEMO_PENDING_ORDER_ID, "reason": "no longer needed"}
    first, applied = shop.apply_once("conv-1:p1", "cancel_pending_order", args, scope="conv-1")
    again, applied_again = shop.apply_once("conv-1:p1", "cancel_pending_order", args)
    assert (applied, applied_again) == (True, False)
    assert again == first and first["status"] == "cancelled"
    history = shop.get_order_details(demo.DEMO_PENDING_ORDER_ID)["payment_history"]
    assert sum(p["transaction_type"] == "refund" for p in history) == 1
    record = shop.applied_action("conv-1:p1")
    assert record is not None
    assert (record["scope"], record["tool"], record["args"]) == (
        "conv-1",
        "cancel_pending_order",
        args,
    )
    assert shop.applied_action("conv-1:other") is None


def test_a_repeated_key_does_not_undo_a_later_change(shop: SqliteOrderStore) -> None:
    def address(city: str) -> dict[str, str]:
        return {
            "user_id": demo.DEMO_USER_ID,
            "address1": "1 Main St",
            "address2": "",
            "city": city,
            "state": "CA",
            "country": "USA",
            "zip": "94105",
        }

    shop.apply_once("c:first", "modify_user_address", address("Oakland"))
    shop.apply_once("c:second", "modify_user_address", address("Fresno"))
    _, applied = shop.apply_once("c:first", "modify_user_address", address("Oakland"))
    assert not applied
    assert shop.get_user_details(demo.DEMO_USER_ID)["address"]["city"] == "Fresno"


def test_a_refused_action_records_no_key(shop: SqliteOrderStore) -> None:
    args = {"order_id": demo.DEMO_DELIVERED_ORDER_ID, "reason": "no longer needed"}
    with refused("non-pending order cannot be cancelled"):
        shop.apply_once("c:refused", "cancel_pending_order", args)
    assert shop.applied_action("c:refused") is None
    with pytest.raises(OrderToolError, match="not a write tool"):
        shop.apply_once("c:read", "get_user_details", {"user_id": demo.DEMO_USER_ID})
