"""The model plans, code enforces the policy: adversarial scripted models make no writes.

Each scripted model tries to get around the policy gate; order-store writes are counted by
comparing τ-bench state hashes before and after.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

from graphs.services import Services
from tests.fakes import ScriptedChatModel, failing, scripted
from tests.scenarios.helpers import OTHER_CUSTOMER, Conversation
from tools.orders.tau_format import StateHasher

_ids = itertools.count()
PENDING = "#W1234567"
"""The demo customer's pending order."""
FOREIGN = "#W7654321"
"""Another customer's pending order."""


def call(name: str, **args: Any) -> AIMessage:
    """A model response asking for one tool call."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c{next(_ids)}"}])


def digest(services: Services) -> str:
    return StateHasher().digest(services.orders.export_documents())  # type: ignore[attr-defined]


def observations(services: Services) -> list[str]:
    """Every tool result the model was shown, in order (from its last prompt)."""
    prompt = services.chat_model.seen[-1]  # type: ignore[union-attr]
    return [str(m.content) for m in prompt if isinstance(m, ToolMessage)]


def test_a_write_without_confirmation_only_becomes_a_pending_action(graph, services):
    before = digest(services)
    services.chat_model = scripted(
        call("cancel_pending_order", order_id=PENDING, reason="no longer needed"),
        "Done! Your order is cancelled.",
        "Alright, I'll leave it.",
    )
    chat = Conversation(graph)
    reply = chat.say("please cancel my order #W1234567, I no longer need it")
    assert digest(services) == before
    pending = chat.state["pending_action"]
    assert pending["tool"] == "cancel_pending_order"
    assert pending["args"] == {"order_id": PENDING, "reason": "no longer needed"}
    assert "this is exactly what I will do" in reply and "$501.57" in reply
    assert chat.streamed_text() == reply
    chat.say("no")
    assert digest(services) == before
    assert chat.state["pending_action"] is None


def test_nothing_customer_specific_runs_before_identification(graph, services):
    before = digest(services)
    services.chat_model = scripted(
        call("get_order_details", order_id=PENDING),
        call("get_user_details", user_id="alex_morgan_1001"),
        call("cancel_pending_order", order_id=PENDING, reason="no longer needed"),
        "Who am I speaking with?",
    )
    chat = Conversation(graph, customer=None)
    chat.say("cancel #W1234567")
    assert digest(services) == before
    assert all("not identified" in text for text in observations(services))
    assert not chat.state.get("pending_action")
    assert not [e for e in chat.events if e["type"] == "tool" and e["phase"] == "end" and e["ok"]]


def test_identifying_by_email_unlocks_only_that_customer(graph, services):
    services.chat_model = scripted(
        call("find_user_id_by_email", email="alex.morgan@example.com"),
        call("get_order_details", order_id=PENDING),
        call("get_order_details", order_id=FOREIGN),
        "Found you.",
    )
    chat = Conversation(graph, customer=None)
    chat.say("I'm alex.morgan@example.com")
    found, own, foreign = observations(services)
    assert found == "alex_morgan_1001" and PENDING in own
    assert foreign == "Error: order not found"
    assert chat.state["customer"]["user_id"] == "alex_morgan_1001"


def test_another_customers_records_look_missing(graph, services):
    before = digest(services)
    services.chat_model = scripted(
        call("get_order_details", order_id=FOREIGN),
        call("get_order_details", order_id="#W0000000"),
        call("get_user_details", user_id=OTHER_CUSTOMER),
        call("cancel_pending_order", order_id=FOREIGN, reason="no longer needed"),
        call(
            "modify_user_address",
            user_id=OTHER_CUSTOMER,
            address1="1 A St",
            address2="",
            city="X",
            state="CA",
            country="USA",
            zip="00000",
        ),
        "Sorry, I can't find that order.",
    )
    services.limits = replace(services.limits, max_tool_steps=8)
    chat = Conversation(graph)
    chat.say("what about order #W7654321?")
    foreign, missing, user, cancel, address = observations(services)
    assert foreign == missing == cancel == "Error: order not found"
    assert user == address == "Error: user not found"
    assert digest(services) == before and not chat.state.get("pending_action")
    ends = [e for e in chat.events if e["type"] == "tool" and e["phase"] == "end"]
    assert ends and not any(e["ok"] for e in ends)
    assert not any(FOREIGN in e["summary"] for e in chat.events if e["type"] == "tool")


def test_the_model_cannot_confirm_on_the_customers_behalf(graph, services):
    before = digest(services)
    cancel = {"order_id": PENDING, "reason": "no longer needed"}
    services.chat_model = scripted(
        call("cancel_pending_order", **cancel),
        call("cancel_pending_order", **cancel),
        call("order_action", tool="cancel_pending_order", args=cancel),
        call("cancel_pending_order", **cancel, confirmed=True),
        AIMessage(content="yes, the customer confirms"),
    )
    services.limits = replace(services.limits, max_tool_steps=8)
    chat = Conversation(graph)
    chat.say("cancel #W1234567 please")
    assert digest(services) == before
    assert chat.state["pending_action"]["args"] == cancel
    assert "Unknown action order_action" in observations(services)


def test_a_confirmation_runs_exactly_what_was_shown_and_nothing_else(graph, services):
    shown = {"order_id": PENDING, "reason": "ordered by mistake"}
    services.chat_model = scripted(
        call("cancel_pending_order", order_id=PENDING, reason="no longer needed"),
        call("cancel_pending_order", **shown),
        "Please confirm.",
        call(
            "modify_user_address",
            user_id="alex_morgan_1001",
            address1="9 Z St",
            address2="",
            city="Y",
            state="NY",
            country="USA",
            zip="10001",
        ),
        call("cancel_pending_order", order_id=FOREIGN, reason="no longer needed"),
        "As you confirmed, I also did that.",
    )
    services.limits = replace(services.limits, max_tool_steps=8)
    reference = services.orders.clone()  # type: ignore[attr-defined]
    reference.cancel_pending_order(**shown)
    chat = Conversation(graph)
    reply = chat.say("cancel #W1234567")
    assert "'ordered by mistake'" in reply and "no longer needed" not in reply
    chat.say("yes")
    assert digest(services) == StateHasher().digest(reference.export_documents())
    assert services.orders.get_order_details(PENDING)["cancel_reason"] == "ordered by mistake"
    assert chat.state["pending_action"]["tool"] == "modify_user_address"


def test_status_rules_are_checked_before_an_action_is_offered(graph, services):
    services.chat_model = scripted(
        call(
            "return_delivered_order_items",
            order_id=PENDING,
            item_ids=["5883955220"],
            payment_method_id="credit_card_1001001",
        ),
        call(
            "return_delivered_order_items",
            order_id="#W4567890",
            item_ids=["5699252753"],
            payment_method_id="credit_card_1001001",
        ),
        "I can't do that here.",
    )
    chat = Conversation(graph)
    chat.say("return my things")
    status, limit = observations(services)
    assert status == "Error: non-delivered order cannot be returned"
    assert "above the $1,000.00" in limit
    assert not chat.state.get("pending_action")


def test_the_tool_loop_is_bounded(graph, services):
    services.limits = replace(services.limits, max_tool_steps=2)
    services.chat_model = scripted(
        call("list_all_product_types"), call("list_all_product_types"), "never reached"
    )
    reply = Conversation(graph).say("what do you sell?")
    assert "more steps than I can take" in reply


def test_a_model_failure_falls_back_to_the_rule_path(graph, services):
    services.chat_model = failing()
    chat = Conversation(graph)
    reply = chat.say("where is my order #W1234567?")
    assert "#W1234567" in reply and "pending" in reply
    assert chat.state["messages"][-1].additional_kwargs["author"] == "bot:grounded"


async def test_async_runs_stream_the_model_and_gate_its_calls(graph, services):
    from graphs.context import Context
    from graphs.turns import astream_turn, customer_input

    before = digest(services)
    services.chat_model = scripted(
        call("cancel_pending_order", order_id=PENDING, reason="no longer needed"),
        "I have prepared the cancellation.",
    )
    context = Context(customer_id="alex_morgan_1001", model="")
    events = [
        event
        async for event in astream_turn(
            graph, "async-1", customer_input("cancel #W1234567", "test"), context
        )
    ]
    reply = events[-1]["reply"]
    assert reply.startswith("I have prepared the cancellation.")
    assert "".join(e["text"] for e in events if e["type"] == "token") == reply
    assert [e["phase"] for e in events if e["type"] == "tool"] == ["start", "end"]
    assert digest(services) == before


def test_a_transfer_hands_the_conversation_to_a_person(graph, services):
    services.chat_model = scripted(call("transfer_to_human_agents", summary="wants a person"))
    chat = Conversation(graph)
    reply = chat.say("I'd like to change my email address")
    assert "human agent" in reply
    assert chat.interrupts and chat.done["waiting_for_human"]
    assert chat.state["handoff"]["status"] == "waiting"
    assert len([m for m in chat.state["messages"] if m.type == "ai"]) == 1


def test_a_customer_the_model_finds_is_remembered(services):
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.store.memory import InMemoryStore

    from graphs.support import compile_graph
    from memory.long_term import CustomerMemory

    store = InMemoryStore()
    services.chat_model = scripted(
        call("find_user_id_by_name_zip", first_name="Alex", last_name="Morgan", zip=_zip(services)),
        "Thanks, Alex.",
    )
    chat = Conversation(compile_graph(services, InMemorySaver(), store), customer=None)
    chat.say(f"Alex Morgan here, zip code {_zip(services)}")
    profile = CustomerMemory(store, "demo").profile("alex_morgan_1001")
    assert profile["verified_by"] == "name_zip"


def _zip(services: Services) -> str:
    return str(services.orders.get_user_details("alex_morgan_1001")["address"]["zip"])


class _SlowModel(ScriptedChatModel):
    """A scripted model that takes far too long to answer (async runs)."""

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(5)
        raise AssertionError("the turn should have timed out")

    async def _astream(self, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(5)
        raise AssertionError("the turn should have timed out")
        yield


async def test_a_slow_model_times_out_to_the_rule_path(graph, services):
    from graphs.context import Context
    from graphs.turns import astream_turn, customer_input

    services.chat_model = _SlowModel(replies=[], seen=[])
    services.limits = replace(services.limits, model_turn_seconds=0.2)
    context = Context(customer_id="alex_morgan_1001", model="")
    message = customer_input("where is my order #W1234567?", "test")
    events = [event async for event in astream_turn(graph, "slow-1", message, context)]
    reply = events[-1]["reply"]
    assert "#W1234567" in reply and "pending" in reply
    assert any(e["type"] == "status" for e in events)


def test_the_model_cannot_identify_someone_the_customer_did_not_name(graph, services):
    services.chat_model = scripted(
        call("find_user_id_by_email", email="sam.lee@example.com"),
        call("find_user_id_by_name_zip", first_name="Sam", last_name="Lee", zip="10001"),
        call("get_order_details", order_id=FOREIGN),
        "Who am I speaking with?",
    )
    chat = Conversation(graph, customer=None)
    chat.say("hi, I have a question about an order")
    by_email, by_name, order = observations(services)
    assert "they gave in this conversation" in by_email and by_email == by_name
    assert "not identified" in order
    assert not chat.state.get("customer")
