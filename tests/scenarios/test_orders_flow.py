"""Multi-turn order scenarios through the compiled graph on the embedded stores."""

from __future__ import annotations

from tests.scenarios.helpers import Conversation


def test_order_status_is_grounded_in_the_order_record(graph, services):
    chat = Conversation(graph)
    reply = chat.say("where is my order #W1234567?")
    order = services.orders.get_order_details("#W1234567")
    assert "get_order_details" in chat.tools_called()
    assert "#W1234567" in reply
    assert order["status"] in reply
    for item in order["items"]:
        assert item["name"] in reply
        assert f"{item['price']:,.2f}" in reply
    assert chat.streamed_text() == reply


def test_cancel_requires_reason_and_explicit_confirmation(graph, services):
    chat = Conversation(graph)
    chat.say("where is my order #W1234567?")
    reply = chat.say("I want to cancel it")
    assert "no longer needed" in reply and "ordered by mistake" in reply
    assert services.orders.get_order_details("#W1234567")["status"] == "pending"

    reply = chat.say("I don't need it anymore")
    assert "yes" in reply.lower()
    assert "#W1234567" in reply
    pending = chat.state["pending_action"]
    assert pending["tool"] == "cancel_pending_order"
    assert pending["args"] == {"order_id": "#W1234567", "reason": "no longer needed"}
    assert services.orders.get_order_details("#W1234567")["status"] == "pending"

    reply = chat.say("yes")
    assert services.orders.get_order_details("#W1234567")["status"] == "cancelled"
    assert "cancelled" in reply
    assert chat.state["pending_action"] is None
    assert "cancel_pending_order" in chat.tools_called()


def test_declining_the_confirmation_changes_nothing(graph, services):
    chat = Conversation(graph)
    chat.say("please cancel order #W1234567, I ordered it by mistake")
    assert chat.state["pending_action"]["args"]["reason"] == "ordered by mistake"
    reply = chat.say("no, keep it")
    assert "haven't changed anything" in reply
    assert chat.state["pending_action"] is None
    assert services.orders.get_order_details("#W1234567")["status"] == "pending"


def test_a_new_question_does_not_confirm_a_pending_action(graph, services):
    chat = Conversation(graph)
    chat.say("cancel #W1234567, it's no longer needed")
    chat.say("what is your return policy?")
    assert services.orders.get_order_details("#W1234567")["status"] == "pending"


def test_cancel_of_a_delivered_order_is_refused_by_policy(graph, services):
    chat = Conversation(graph)
    reply = chat.say("cancel order #W2345678 please")
    assert "delivered" in reply and "only pending orders" in reply
    assert chat.state.get("pending_action") is None
    assert services.orders.get_order_details("#W2345678")["status"] == "delivered"


def test_return_of_delivered_order_after_confirmation(graph, services):
    chat = Conversation(graph)
    reply = chat.say("I want to return the items from order #W2345678")
    pending = chat.state["pending_action"]
    assert pending["tool"] == "return_delivered_order_items"
    order = services.orders.get_order_details("#W2345678")
    assert sorted(pending["args"]["item_ids"]) == sorted(i["item_id"] for i in order["items"])
    assert "yes" in reply.lower()
    chat.say("yes please")
    assert services.orders.get_order_details("#W2345678")["status"] == "return requested"


def test_refund_above_limit_goes_to_a_human(graph, services):
    chat = Conversation(graph)
    order = services.orders.get_order_details("#W4567890")
    assert sum(i["price"] for i in order["items"]) > services.limits.refund_limit
    chat.say("I want to return order #W4567890")
    assert chat.interrupts, "a policy handoff pauses for a human"
    payload = chat.interrupts[0].value
    assert payload["reason"] == "policy_refund_limit"
    assert services.orders.get_order_details("#W4567890")["status"] == "delivered"


def test_someone_elses_order_is_not_revealed(graph, services):
    chat = Conversation(graph)
    other = services.orders.get_order_details("#W7654321")
    reply = chat.say("what's the status of order #W7654321?")
    assert "couldn't find order #W7654321" in reply
    for item in other["items"]:
        assert item["name"] not in reply
    chat.say("cancel it, no longer needed")
    chat.say("yes")
    assert services.orders.get_order_details("#W7654321")["status"] == other["status"]


def test_unknown_order_id(graph):
    chat = Conversation(graph)
    reply = chat.say("where is order #W0000001?")
    assert "couldn't find order #W0000001" in reply


def test_anonymous_customer_must_identify_first(graph, services):
    chat = Conversation(graph, customer=None)
    reply = chat.say("where is my order #W1234567?")
    assert "email" in reply and "zip" in reply
    assert "get_order_details" not in chat.tools_called()
    reply = chat.say("my email is alex.morgan@example.com")
    assert chat.state["customer"]["user_id"] == "alex_morgan_1001"
    assert chat.state["customer"]["verified_by"] == "email"


def test_identify_by_name_and_zip(graph):
    chat = Conversation(graph, customer=None)
    chat.say("where is my order #W1234567?")
    chat.say("I'm Alex Morgan, zip code 94107")
    assert chat.state["customer"]["verified_by"] == "name_zip"


def test_unknown_email_is_not_identified(graph):
    chat = Conversation(graph, customer=None)
    chat.say("track #W1234567")
    reply = chat.say("my email is nobody@example.com")
    assert chat.state.get("customer") is None
    assert "couldn't find an account" in reply


def _shoes(services):
    order = services.orders.get_order_details("#W2345678")
    item = next(i for i in order["items"] if i["name"] == "Running Shoes")
    product = services.orders.get_product_details(item["product_id"])
    others = [
        v
        for v in product["variants"].values()
        if v["available"] and v["item_id"] != item["item_id"]
    ]
    return item, others


def _options(options):
    return ", ".join(f"{key} {value}" for key, value in options.items())


def test_exchange_keeps_the_colour_asked_for_and_describes_the_change(graph, services):
    item, others = _shoes(services)
    color, size = item["options"]["color"], item["options"]["size"]
    same_color = [v for v in others if v["options"]["color"] == color]
    assert same_color, "the demo shoes come in another size of the same colour"
    missing = next(
        s
        for s in ("7", "8", "9", "10", "11", "12")
        if s != size and not any(v["options"]["size"] == s for v in same_color)
    )
    chat = Conversation(graph)
    reply = chat.say(
        "the running shoes from W2345678 are too small, I'd like a bigger size, same color"
    )
    for variant in others:
        listed = f"item {variant['item_id']}" in reply
        assert listed == (variant["options"]["color"] == color), reply

    reply = chat.say(f"size {missing} please")
    pending = chat.state["pending_action"]
    assert pending["missing"] == ["new_items"] and pending["args"]["new_item_ids"] == []
    assert "isn't available" in reply and f"size: {missing}" in reply and color in reply
    for variant in same_color:
        assert f"item {variant['item_id']}" in reply

    chosen = same_color[0]
    reply = chat.say(f"then size {chosen['options']['size']}")
    pending = chat.state["pending_action"]
    assert pending["args"]["new_item_ids"] == [chosen["item_id"]]
    assert f"Running Shoes: {_options(item['options'])} (${item['price']:,.2f}) → " in reply
    assert f"→ {_options(chosen['options'])} (${chosen['price']:,.2f})" in reply
    difference = round(chosen["price"] - item["price"], 2)
    assert f"${abs(difference):,.2f}" in reply
    assert "for item(s)" not in reply

    chat.say("yes")
    assert services.orders.get_order_details("#W2345678")["status"] == "exchange requested"


def test_a_named_colour_is_honoured_when_that_size_does_not_exist_in_it(graph, services):
    item, others = _shoes(services)
    sizes = {v["options"]["size"] for v in others}
    color, size = next(
        (c, s)
        for c in ("black", "red", "blue", "white")
        for s in sorted(sizes)
        if c != item["options"]["color"]
        and any(v["options"]["color"] == c for v in others)
        and not any(v["options"] == {**v["options"], "color": c, "size": s} for v in others)
    )
    chat = Conversation(graph)
    reply = chat.say(f"exchange the running shoes from #W2345678 for size {size} in {color}")
    assert chat.state["pending_action"]["args"]["new_item_ids"] == []
    assert "isn't available" in reply
    for variant in others:
        listed = f"item {variant['item_id']}" in reply
        assert listed == (variant["options"]["color"] == color), reply


def test_the_account_address_is_changed_while_an_order_is_discussed(graph, services):
    before = services.orders.get_user_details("alex_morgan_1001")["address"]
    order_address = services.orders.get_order_details("#W2345678")["address"]
    chat = Conversation(graph)
    chat.say("where is #W2345678?")
    reply = chat.say(
        "also can you change the address on my account to 12 Pine Street, Oakland CA 94612?"
    )
    pending = chat.state["pending_action"]
    assert pending["tool"] == "modify_user_address"
    assert pending["args"]["address1"] == "12 Pine Street"
    assert pending["args"]["city"] == "Oakland" and pending["args"]["zip"] == "94612"
    assert "can't be changed" not in reply
    assert before["address1"] in reply and "12 Pine Street, Oakland" in reply
    assert reply.index(before["address1"]) < reply.index("12 Pine Street")
    assert "yes" in reply.lower()
    assert services.orders.get_user_details("alex_morgan_1001")["address"] == before

    reply = chat.say("yes")
    assert "modify_user_address" in chat.tools_called()
    after = services.orders.get_user_details("alex_morgan_1001")["address"]
    assert (after["address1"], after["city"], after["state"], after["zip"]) == (
        "12 Pine Street",
        "Oakland",
        "CA",
        "94612",
    )
    assert services.orders.get_order_details("#W2345678")["address"] == order_address


def test_shipping_an_order_elsewhere_still_changes_the_order_address(graph, services):
    chat = Conversation(graph)
    chat.say("please ship order #W1234567 to 12 Pine Street, Oakland CA 94612")
    pending = chat.state["pending_action"]
    assert pending["tool"] == "modify_pending_order_address"
    assert pending["args"]["address1"] == "12 Pine Street"
    chat = Conversation(graph, thread_id="t2")
    chat.say("where is #W2345678?")
    reply = chat.say("change the delivery address of my order to 12 Pine Street, Oakland CA 94612")
    assert "can't be changed" in reply
    assert chat.state.get("pending_action") is None
