"""Long-term customer memory: profile on identification, summaries at the end of a chapter,
earlier conversations in the handoff summary and a returning customer's greeting."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from graphs.context import Context
from graphs.services import Services
from graphs.support import compile_graph
from memory.long_term import CustomerMemory
from tests.scenarios.helpers import DEMO_CUSTOMER, Conversation


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def remembering(services: Services, store: InMemoryStore) -> Any:
    """The support graph compiled with a checkpointer and a long-term store."""
    return compile_graph(services, InMemorySaver(), store)


def _memory(store: InMemoryStore, tenant: str = "demo") -> CustomerMemory:
    return CustomerMemory(store, tenant)


def _handoff_payload(chat: Conversation) -> dict[str, Any]:
    return next(e for e in chat.events if e["type"] == "handoff")["payload"]


def test_identifying_a_customer_saves_their_profile_once(remembering, store):
    chat = Conversation(remembering, "c1")
    chat.say("where is my order #W1234567?")
    profile = _memory(store).profile(DEMO_CUSTOMER)
    assert profile["user_id"] == DEMO_CUSTOMER
    assert profile["name"] == "Alex Morgan"
    assert profile["email"] == "alex.morgan@example.com"
    assert profile["verified_by"] == "auth"
    assert isinstance(profile["last_seen"], int) and profile["last_seen"] > 0

    # Later turns of the same conversation do not write the profile again.
    _memory(store).save_profile(DEMO_CUSTOMER, {**profile, "marker": True})
    chat.say("and what is your return policy?")
    assert _memory(store).profile(DEMO_CUSTOMER)["marker"] is True
    assert _memory(store).conversation_summaries(DEMO_CUSTOMER) == []


def test_customer_identified_by_email_is_remembered(remembering, store):
    chat = Conversation(remembering, "c1", customer=None)
    chat.say("where is my order #W1234567?")
    assert _memory(store).profile(DEMO_CUSTOMER) == {}
    chat.say("my email is alex.morgan@example.com")
    assert _memory(store).profile(DEMO_CUSTOMER)["verified_by"] == "email"


def test_handoff_is_remembered_and_resolution_replaces_it(remembering, store):
    chat = Conversation(remembering, "c1")
    chat.say("where is my order #W1234567?")
    chat.say("this is the third time I ask, get me a human")
    [summary] = _memory(store).conversation_summaries(DEMO_CUSTOMER)
    assert summary["conversation_id"] == "c1"
    assert summary["outcome"] == "handed_off"
    assert summary["summary"].startswith("handed to a person")
    assert "#W1234567" in summary["summary"]
    stamped = summary["remembered_at"]

    # The agent's reply resumes the handoff node, which runs again from its start: the
    # unchanged note is not written again.
    chat.agent("reply", "Hi Alex, I'm Dana.")
    assert _memory(store).conversation_summaries(DEMO_CUSTOMER)[0]["remembered_at"] == stamped

    chat.agent("resolve", "All sorted.")
    [summary] = _memory(store).conversation_summaries(DEMO_CUSTOMER)
    assert summary["outcome"] == "resolved"
    assert summary["summary"].startswith("resolved by Dana")


def test_an_order_action_is_remembered(remembering, store):
    chat = Conversation(remembering, "c1")
    chat.say("please cancel order #W1234567, I ordered it by mistake")
    chat.say("yes")
    [summary] = _memory(store).conversation_summaries(DEMO_CUSTOMER)
    assert summary["outcome"] == "action_done"
    assert summary["summary"] == "cancelled order #W1234567"
    assert summary["intent"]


def test_a_returning_customer_is_greeted_and_agents_see_the_earlier_conversation(
    remembering, store
):
    first = Conversation(remembering, "c1")
    first.say("please cancel order #W1234567, I ordered it by mistake")
    first.say("yes")

    second = Conversation(remembering, "c2")
    reply = second.say("hi")
    assert reply.startswith("Hello Alex, welcome back! I can check your orders")
    assert second.state["history"] == {"conversations": 1, "latest": "cancelled order #W1234567"}
    reply = second.say("what is your return policy?")
    assert "welcome back" not in reply.lower()

    second.say("get me a human agent now")
    payload = _handoff_payload(second)
    assert "earlier: 1 conversation (latest: cancelled order #W1234567)" in payload["summary"]
    summaries = _memory(store).conversation_summaries(DEMO_CUSTOMER)
    assert [s["conversation_id"] for s in summaries] == ["c2", "c1"]


def test_a_first_time_customer_is_not_greeted_as_returning(remembering):
    chat = Conversation(remembering, "c1")
    assert chat.say("hi").startswith("Hello! I can check your orders")
    chat.say("get me a human agent now")
    assert "earlier:" not in _handoff_payload(chat)["summary"]


def test_tenants_do_not_see_each_others_memory(remembering, store):
    acme = Conversation(remembering, "acme-1")
    acme.context = Context(customer_id=DEMO_CUSTOMER, model="", tenant="acme")
    acme.say("get me a human agent now")
    assert _memory(store, "acme").conversation_summaries(DEMO_CUSTOMER)
    assert _memory(store, "acme").profile(DEMO_CUSTOMER)["name"] == "Alex Morgan"
    assert _memory(store, "globex").profile(DEMO_CUSTOMER) == {}
    assert _memory(store, "globex").conversation_summaries(DEMO_CUSTOMER) == []

    globex = Conversation(remembering, "globex-1")
    globex.context = Context(customer_id=DEMO_CUSTOMER, model="", tenant="globex")
    assert globex.say("hi").startswith("Hello! ")
    globex.say("get me a human agent now")
    assert "earlier:" not in _handoff_payload(globex)["summary"]
    assert [
        s["conversation_id"] for s in _memory(store, "globex").conversation_summaries(DEMO_CUSTOMER)
    ] == ["globex-1"]


def test_a_graph_without_a_store_remembers_nothing(services):
    chat = Conversation(compile_graph(services, InMemorySaver()), "c1")
    chat.say("get me a human agent now")
    assert "earlier:" not in _handoff_payload(chat)["summary"]
    assert chat.state["history"] is None


def test_the_remembered_summary_masks_what_the_customer_said_about_themselves(remembering, store):
    chat = Conversation(remembering, "c1")
    chat.say("get me a human now, call me on 415-555-0100 or alex.m@example.org")
    [summary] = _memory(store).conversation_summaries(DEMO_CUSTOMER)
    assert summary["outcome"] == "handed_off"
    assert "[PHONE]" in summary["summary"] and "[EMAIL]" in summary["summary"]
    assert "415-555-0100" not in summary["summary"]
    assert "alex.m@example.org" not in summary["summary"]
