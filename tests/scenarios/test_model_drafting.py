"""Drafting with a chat model: scripted text, a bounded tool loop, and fallback on failure.

These run with the rules planning the turn (`model_plans=False`): the model words the reply.
"""

from __future__ import annotations

from dataclasses import replace

from langchain_core.messages import AIMessage, SystemMessage, ToolMessage

from tests.fakes import failing, scripted
from tests.scenarios.helpers import Conversation


def test_model_reply_streams_as_tokens_and_sees_only_turn_facts(graph, services):
    services.model_plans = False
    services.chat_model = scripted("Your order #W1234567 is pending and hasn't shipped yet.")
    chat = Conversation(graph)
    reply = chat.say("where is my order #W1234567?")
    assert reply == "Your order #W1234567 is pending and hasn't shipped yet."
    assert chat.streamed_text() == reply
    system = services.chat_model.seen[0][0]
    assert isinstance(system, SystemMessage)
    assert '"order_id": "#W1234567"' in system.content
    assert chat.state["messages"][-1].additional_kwargs["author"] == "bot:model"


def test_model_tool_loop_runs_read_only_tools_with_the_customer_injected(graph, services):
    call = AIMessage(
        content="",
        tool_calls=[{"name": "lookup_order", "args": {"order_id": "#W7654321"}, "id": "c1"}],
    )
    services.model_plans = False
    services.chat_model = scripted(call, "I can only see orders on your own account.")
    chat = Conversation(graph)
    reply = chat.say("hello")
    assert reply == "I can only see orders on your own account."
    second_call = services.chat_model.seen[-1]
    tool_messages = [m for m in second_call if isinstance(m, ToolMessage)]
    assert tool_messages and "Order not found" in tool_messages[0].content


def test_tool_loop_is_bounded(graph, services):
    services.limits = replace(services.limits, max_tool_steps=2)
    loop = [
        AIMessage(
            content="",
            tool_calls=[{"name": "search_help_centre", "args": {"query": "x"}, "id": f"c{i}"}],
        )
        for i in range(2)
    ]
    services.model_plans = False
    services.chat_model = scripted(*loop, "Final answer after the limit.")
    reply = Conversation(graph).say("hello")
    assert reply == "Final answer after the limit."


def test_model_failure_falls_back_to_grounded_reply(graph, services):
    services.model_plans = False
    services.chat_model = failing()
    chat = Conversation(graph)
    reply = chat.say("where is my order #W1234567?")
    assert "#W1234567" in reply and "pending" in reply
    assert chat.state["messages"][-1].additional_kwargs["author"] == "bot:grounded"
    assert any(e["type"] == "status" for e in chat.events)
