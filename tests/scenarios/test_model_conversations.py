"""Two realistic requests on the model path, with a scripted model choosing the tools.

The model decides which items and which address; code describes the pending action in
words (every changed option, old → new) and runs it only after the customer's yes. So a
colour the model changes cannot slip past the customer, and an account address is not
mistaken for an order's.
"""

from __future__ import annotations

import itertools
from typing import Any

from langchain_core.messages import AIMessage

from tests.fakes import scripted
from tests.scenarios.helpers import Conversation

ORDER = "#W2345678"
"""The demo customer's delivered order: Running Shoes (size 11, white, mesh) and a bottle."""
SHOES = "4248891100"
WHITE_12 = "5624562559"
BLUE_10 = "8270893553"
_ids = itertools.count()


def call(name: str, **args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"m{next(_ids)}"}])


def _exchange_to(new_item: str) -> AIMessage:
    return call(
        "exchange_delivered_order_items",
        order_id=ORDER,
        item_ids=[SHOES],
        new_item_ids=[new_item],
        payment_method_id="credit_card_1001001",
    )


def _look_up() -> list[Any]:
    return [
        call("get_order_details", order_id=ORDER),
        call("get_product_details", product_id="3358265662"),
        "In white I can offer size 12. Would you like that?",
    ]


def test_a_bigger_size_in_the_same_colour_is_described_before_it_runs(graph, services):
    product = services.orders.get_product_details("3358265662")
    new_price = product["variants"][WHITE_12]["price"]
    services.chat_model = scripted(
        *_look_up(), _exchange_to(WHITE_12), "Here is the exchange.", "It is done."
    )
    chat = Conversation(graph)
    chat.say("the running shoes from W2345678 are too small, I'd like a bigger size, same color")
    reply = chat.say("size 12 please")
    pending = chat.state["pending_action"]
    assert pending["tool"] == "exchange_delivered_order_items"
    assert pending["args"]["new_item_ids"] == [WHITE_12]
    assert "size 11, color white, material mesh ($122.36) → " in reply
    assert f"→ size 12, color white, material mesh (${new_price:,.2f})" in reply
    assert "for item(s)" not in reply
    assert services.orders.get_order_details(ORDER)["status"] == "delivered"

    chat.say("yes")
    order = services.orders.get_order_details(ORDER)
    assert order["status"] == "exchange requested"
    assert order["exchange_new_items"] == [WHITE_12]


def test_a_colour_the_model_changed_is_shown_and_can_be_refused(graph, services):
    services.chat_model = scripted(*_look_up(), _exchange_to(BLUE_10), "Here is the exchange.")
    chat = Conversation(graph)
    chat.say("the running shoes from W2345678 are too small, I'd like a bigger size, same color")
    reply = chat.say("size 10 please")
    assert "size 11, color white, material mesh ($122.36) → size 10, color blue" in reply
    chat.say("no")
    assert services.orders.get_order_details(ORDER)["status"] == "delivered"
    assert chat.state["pending_action"] is None


def test_the_account_address_changes_and_the_order_address_stays(graph, services):
    before = services.orders.get_user_details("alex_morgan_1001")["address"]
    order_address = services.orders.get_order_details(ORDER)["address"]
    new = {
        "address1": "12 Pine Street",
        "address2": "",
        "city": "Oakland",
        "state": "CA",
        "country": "USA",
        "zip": "94612",
    }
    services.chat_model = scripted(
        call("get_order_details", order_id=ORDER),
        "It was delivered.",
        call("modify_user_address", user_id="alex_morgan_1001", **new),
        "I can update your account address.",
        "Done: your account address is updated.",
    )
    chat = Conversation(graph)
    chat.say(f"where is {ORDER}?")
    reply = chat.say(
        "also can you change the address on my account to 12 Pine Street, Oakland CA 94612?"
    )
    assert chat.state["pending_action"]["tool"] == "modify_user_address"
    assert before["address1"] in reply and "12 Pine Street" in reply
    assert reply.index(before["address1"]) < reply.index("12 Pine Street")
    assert services.orders.get_user_details("alex_morgan_1001")["address"] == before

    chat.say("yes")
    after = services.orders.get_user_details("alex_morgan_1001")["address"]
    assert {key: after[key] for key in new} == new
    assert services.orders.get_order_details(ORDER)["address"] == order_address
