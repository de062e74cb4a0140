"""Identity and address values reach the tools, yet the transcript and prompts hold placeholders."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from graphs.agent.policy import NOT_GIVEN, PolicyGate
from tests.fakes import scripted
from tests.scenarios.helpers import Conversation


def _customer_texts(chat: Conversation) -> list[str]:
    return [str(m.content) for m in chat.state["messages"] if isinstance(m, HumanMessage)]


def _state_dump(chat: Conversation) -> str:
    return json.dumps(chat.state, default=lambda value: getattr(value, "content", str(value)))


def test_email_identifies_but_is_stored_as_a_placeholder(graph):
    chat = Conversation(graph, customer=None)
    chat.say("cancel my order please")
    chat.say("my email is alex.morgan@example.com")
    assert chat.state["customer"]["user_id"] == "alex_morgan_1001"
    assert chat.state["customer"]["verified_by"] == "email"
    assert _customer_texts(chat)[-1] == "my email is [EMAIL]"
    assert "alex.morgan@example.com" not in _state_dump(chat)


def test_name_and_zip_identify_and_are_replaced(graph):
    chat = Conversation(graph, customer=None)
    chat.say("I'm Alex Morgan, zip code 94107")
    assert chat.state["customer"]["verified_by"] == "name_zip"
    assert _customer_texts(chat)[-1] == "I'm [NAME] [NAME], zip code [ZIP]"
    assert "94107" not in _state_dump(chat)


def test_an_unknown_email_is_reported_without_storing_it(graph):
    chat = Conversation(graph, customer=None)
    chat.say("track #W1234567")
    reply = chat.say("my email is nobody.here@example.com")
    assert chat.state.get("customer") is None
    assert "couldn't find an account" in reply
    assert "nobody.here" not in _state_dump(chat)


def test_a_new_address_reaches_the_tool_but_not_the_transcript(graph):
    chat = Conversation(graph)
    chat.say("please change the address on my account to 12 Pine Street, Oakland CA 94612")
    pending = chat.state["pending_action"]
    assert pending["tool"] == "modify_user_address"
    assert pending["args"]["address1"] == "12 Pine Street"
    assert pending["args"]["zip"] == "94612"
    assert "12 Pine Street" not in _customer_texts(chat)[-1]
    assert "[ADDRESS]" in _customer_texts(chat)[-1]


def _call(name: str, **args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c-{name}"}])


def test_the_model_sees_placeholders_and_cannot_look_up_by_them(graph, services):
    services.chat_model = scripted(
        _call("find_user_id_by_email", email="[EMAIL]"),
        "Thanks, I found your account.",
    )
    chat = Conversation(graph, customer=None)
    chat.say("hi, I'm sam.lee@example.com and my card 4242-4242-4242-4242 was charged twice")
    prompts = services.chat_model.seen  # type: ignore[union-attr]
    seen = json.dumps([[str(m.content) for m in p] for p in prompts], ensure_ascii=False)
    assert "[EMAIL]" in seen and "[CARD ••4242]" in seen
    assert "sam.lee@" not in seen and "4242-4242" not in seen
    assert "already identified as user id sam_lee_2002" in seen
    observed = [str(m.content) for m in prompts[-1] if m.type == "tool"]
    assert observed == ["Error: user not found"]
    assert chat.state["customer"]["user_id"] == "sam_lee_2002"


def test_before_identification_a_placeholder_is_not_an_identity(services):
    gate = PolicyGate(services, None, None, "demo", said="my email is [EMAIL]")
    outcome = gate.handle("find_user_id_by_email", {"email": "[EMAIL]"})
    assert outcome.observation == NOT_GIVEN and gate.user_id is None
    written = PolicyGate(services, None, None, "demo", said="i'm alex.morgan@example.com")
    found = written.handle("find_user_id_by_email", {"email": "alex.morgan@example.com"})
    assert found.observation == "alex_morgan_1001"
