"""The order card a tool event carries: built from a record or the model path's JSON."""

from __future__ import annotations

import json

from graphs.events import order_card

ORDER = {
    "order_id": "#W1234567",
    "user_id": "alex_morgan_1001",
    "status": "delivered",
    "address": {"address1": "1 Main St", "city": "Austin", "state": "TX", "zip": "78701"},
    "items": [{"name": "Desk Lamp", "price": 45, "item_id": "1"}],
    "payment_history": [{"transaction_type": "payment", "amount": 45}],
}


def test_a_record_becomes_the_card_without_what_the_card_does_not_show():
    card = order_card(ORDER)
    assert card is not None
    assert card.model_dump() == {
        "order_id": "#W1234567",
        "status": "delivered",
        "items": [{"name": "Desk Lamp", "price": 45.0}],
        "city": "Austin",
        "state": "TX",
    }


def test_the_model_paths_json_observation_becomes_the_same_card():
    assert order_card(json.dumps(ORDER)) == order_card(ORDER)


def test_anything_but_an_order_has_no_card():
    assert order_card("Error: order not found") is None
    assert order_card(json.dumps({"user_id": "alex_morgan_1001", "orders": []})) is None
    assert order_card({**ORDER, "items": [{"name": "Lamp"}]}) is None
    assert order_card(None) is None
