"""Handoff to a human agent: interrupt, agent reply resumed into the thread, return to bot."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from tests.fakes import scripted
from tests.scenarios.helpers import Conversation


def test_explicit_request_hands_off_with_a_queue_payload(graph):
    chat = Conversation(graph)
    chat.say("where is my order #W1234567?")
    reply = chat.say("this is the third time I ask, get me a human")
    assert "person will join" in reply
    assert chat.done["waiting_for_human"] is True
    handoffs = [e for e in chat.events if e["type"] == "handoff"]
    assert len(handoffs) == 1
    payload = handoffs[0]["payload"]
    assert payload["reason"] in ("explicit_request", "negative_sentiment", "worsening_sentiment")
    assert payload["customer"]["user_id"] == "alex_morgan_1001"
    assert payload["order_id"] == "#W1234567"
    assert payload["sentiment"]["label"] in ("negative", "neutral", "positive")
    assert payload["suggested_reply"]
    assert "#W1234567" in payload["summary"]
    assert chat.state["handoff"]["status"] == "waiting"


def test_agent_reply_keeps_human_in_charge_then_returns_to_bot(graph, services):
    chat = Conversation(graph)
    chat.say("I want to talk to a real person")
    assert chat.interrupts

    done = chat.agent("reply", "Hi Alex, I'm Dana. Let me look at this for you.")
    assert done["handoff_status"] == "human"
    last = chat.state["messages"][-1]
    assert isinstance(last, AIMessage)
    assert last.additional_kwargs["author"] == "human_agent"
    assert last.name == "Dana"
    agent_events = [e for e in chat.events if e["type"] == "agent_message"]
    assert agent_events[0]["text"].startswith("Hi Alex")

    # While the human owns the conversation, the customer's messages go to the human.
    chat.say("thanks, it's about order #W1234567")
    assert chat.interrupts
    payload = chat.interrupts[0].value
    assert payload["type"] == "customer_message"
    assert payload["last_message"] == "thanks, it's about order #W1234567"
    assert not [m for m in chat.state["messages"][-1:] if isinstance(m, AIMessage)]

    done = chat.agent("return_to_bot", "I'm handing you back to our assistant.")
    assert done["handoff_status"] == "returned"
    assert not chat.interrupts

    reply = chat.say("where is my order #W1234567?")
    assert "#W1234567" in reply and "get_order_details" in chat.tools_called()


def test_resolve_closes_the_case(graph):
    chat = Conversation(graph)
    chat.say("get me a human agent now")
    done = chat.agent("resolve", "Sorted — the replacement ships today.")
    assert done["handoff_status"] == "resolved"
    assert chat.state["messages"][-1].content == "Sorted — the replacement ships today."


def test_invalid_agent_resume_is_rejected_and_keeps_the_interrupt(graph):
    import pytest
    from pydantic import ValidationError

    chat = Conversation(graph)
    chat.say("human please")
    with pytest.raises(ValidationError):
        chat.agent("delete_everything", "x")
    assert chat.interrupts, "a bad resume must not lose the pending handoff"


def test_strongly_negative_message_hands_off(graph):
    chat = Conversation(graph)
    chat.say("This is absolutely terrible, the worst service ever, I hate this useless store!!!")
    assert chat.interrupts
    assert chat.interrupts[0].value["reason"] in ("negative_sentiment", "complaint")


def test_repeated_out_of_scope_requests_hand_off(graph):
    chat = Conversation(graph)
    reply = chat.say("what's the weather going to be in Paris tomorrow?")
    assert "can't help with that here" in reply
    assert not chat.interrupts
    chat.say("tell me a joke about cats")
    chat.say("who will win the football world cup?")
    assert chat.interrupts
    assert chat.interrupts[0].value["reason"] in ("out_of_scope", "repeated_failure")


def _open_question_with_the_agent(chat: Conversation) -> None:
    chat.say("I want to talk to a real person")
    chat.agent("reply", "Hi Alex, Dana here.")
    chat.say("where is my order #W1234567?")
    assert chat.interrupts and not chat.streamed_text()


def test_return_to_bot_answers_the_open_question_once(graph):
    chat = Conversation(graph)
    _open_question_with_the_agent(chat)
    history = list(chat.state["sentiment"]["history"])

    done = chat.agent("return_to_bot")
    assert done["handoff_status"] == "returned" and not chat.interrupts
    assert "get_order_details" in chat.tools_called()
    assert "pending" in done["reply"] and chat.streamed_text() == done["reply"]
    assert chat.state["sentiment"]["history"] == history, "the question is scored once"
    assert not isinstance(chat.state["messages"][-2], AIMessage)


def test_return_to_bot_with_a_last_word_leaves_the_next_move_to_the_customer(graph):
    chat = Conversation(graph)
    _open_question_with_the_agent(chat)
    done = chat.agent("return_to_bot", "It is on its way; our assistant can help further.")
    assert done["handoff_status"] == "returned"
    assert not chat.tools_called() and not chat.streamed_text()
    assert chat.state["messages"][-1].additional_kwargs["author"] == "human_agent"


def test_return_to_bot_on_the_model_path_plans_the_answer(graph, services):
    chat = Conversation(graph)
    _open_question_with_the_agent(chat)
    look_up = {"name": "get_order_details", "args": {"order_id": "#W1234567"}, "id": "c1"}
    services.chat_model = scripted(
        AIMessage(content="", tool_calls=[look_up]),
        "Order #W1234567 is pending; it has not shipped yet.",
    )
    done = chat.agent("return_to_bot")
    assert done["planner"] == "model"
    assert done["reply"] == "Order #W1234567 is pending; it has not shipped yet."
    cards = [e["order"] for e in chat.events if e["type"] == "tool" and e.get("order")]
    assert [(c["order_id"], c["status"]) for c in cards] == [("#W1234567", "pending")]
