"""The handover note built offline from the facts: readable sentences, the action just taken,
and an opening reply that cites it."""

from __future__ import annotations

from tests.scenarios.helpers import Conversation


def _payload(chat: Conversation) -> dict:
    return [e for e in chat.events if e["type"] == "handoff"][-1]["payload"]


def test_the_note_says_the_order_was_just_cancelled(graph):
    chat = Conversation(graph)
    chat.say("please cancel order #W1234567, I ordered it by mistake")
    chat.say("yes")
    assert chat.state["done_actions"] == ["cancelled order #W1234567"]
    chat.say("this is useless, get me a human")
    payload = _payload(chat)
    summary = payload["summary"]
    assert summary.startswith("Alex Morgan (alex_morgan_1001, verified by ")
    assert "Just done: cancelled order #W1234567." in summary
    assert "after 3 messages" in summary
    assert "Last message: 'this is useless, get me a human'." in summary
    assert "intent " not in summary, "no machine key=value fragments"
    reply = payload["suggested_reply"]
    assert reply.startswith("Hi Alex,") and "cancelled order #W1234567" in reply


def test_an_unidentified_customer_is_asked_to_identify(graph):
    chat = Conversation(graph, customer=None)
    chat.say("I want to talk to a real person")
    payload = _payload(chat)
    assert payload["summary"].startswith("An unidentified customer asked for a person after 1")
    assert "email address" in payload["suggested_reply"]
    assert "Just done" not in payload["summary"]
