"""A customer writing in another language: offline, English only and a person offered;
with a model, the reply is asked for in the customer's language."""

from __future__ import annotations

from tests.fakes import scripted
from tests.scenarios.helpers import Conversation
from tools.language import HANDING_OVER, ONLY_ENGLISH


def test_offline_says_english_only_in_spanish_then_hands_over_on_the_answer(graph):
    chat = Conversation(graph)
    reply = chat.say("¿Dónde está mi pedido? Lo pedí hace una semana")
    assert chat.state["language"] == "es"
    assert chat.state["route"] == "unsupported_language"
    assert ONLY_ENGLISH["es"] in reply
    assert chat.state["handoff"]["status"] == "none"

    reply = chat.say("Sí, por favor, quiero hablar con una persona")
    assert HANDING_OVER["es"] in reply
    assert chat.state["handoff"]["status"] == "waiting"
    assert chat.state["handoff"]["reason"] == "language"


def test_english_after_the_notice_is_served_as_usual(graph):
    chat = Conversation(graph)
    chat.say("Wo ist meine Bestellung? Ich warte seit Tagen")
    reply = chat.say("where is my order #W1234567?")
    assert chat.state["language"] == "en"
    assert "#W1234567" in reply
    assert chat.state["handoff"]["status"] == "none"


def test_a_model_is_asked_to_answer_in_the_customers_language(graph, services):
    services.model_plans = False
    # the unsure classifier asks the model for the intent first (no usable answer here)
    services.chat_model = scripted("-", "Su pedido #W1234567 está pendiente.")
    chat = Conversation(graph)
    reply = chat.say("¿Dónde está mi pedido #W1234567? Lo pedí hace una semana")
    assert reply == "Su pedido #W1234567 está pendiente."
    system = services.chat_model.seen[-1][0].content
    assert "write your reply to the customer in Spanish" in system
