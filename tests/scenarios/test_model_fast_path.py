"""The fast path: with a model planning, confident look-ups are answered by the rules.

Off by default (every turn goes to the model). On, an order-status question or a
help-centre question the classifier is sure of costs no model call, while anything that
may act on an order, or any turn with a pending action, still goes to the model.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.fakes import scripted
from tests.scenarios.helpers import Conversation


@pytest.fixture
def fast(services):
    services.limits = replace(services.limits, fast_path_confidence=0.5)
    return services


def test_a_confident_status_question_costs_no_model_call(graph, fast):
    fast.chat_model = scripted("I can help with that.")
    chat = Conversation(graph)
    reply = chat.say("where is my order #W1234567?")
    assert chat.done["planner"] == "fast"
    assert chat.done["usage"] is None
    assert fast.chat_model.seen == []
    assert "#W1234567" in reply and "pending" in reply.lower()


def test_a_help_centre_question_takes_the_fast_path(graph, fast):
    fast.chat_model = scripted("I can help with that.")
    chat = Conversation(graph)
    chat.say("what is your return policy?")
    assert chat.done["planner"] == "fast"
    assert fast.chat_model.seen == []


def test_an_action_still_goes_to_the_model(graph, fast):
    fast.chat_model = scripted("Which reason should I give for the cancellation?")
    chat = Conversation(graph)
    reply = chat.say("please cancel my order #W1234567")
    assert chat.done["planner"] == "model"
    assert reply.startswith("Which reason")
    assert len(fast.chat_model.seen) == 1


def test_off_by_default(graph, services):
    assert services.limits.fast_path_confidence is None
    services.chat_model = scripted("Order #W1234567 is pending.")
    chat = Conversation(graph)
    chat.say("where is my order #W1234567?")
    assert chat.done["planner"] == "model"
    assert len(services.chat_model.seen) == 1
