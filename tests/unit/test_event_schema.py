"""The typed event schema: generated web types are current, real events validate, bad ones don't."""

from __future__ import annotations

import importlib.util
import timeit
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from graphs.event_schema import (
    HandoffCustomer,
    HandoffSentiment,
    QueueRow,
    event_json_schema,
    validate_event,
    validate_queue_event,
)
from graphs.state import Customer, SentimentState
from tests.scenarios.helpers import Conversation

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_event_types", ROOT / "scripts" / "gen_event_types.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_web_types_match_the_models():
    generated = _generator().render()
    checked_in = (ROOT / "packages" / "client" / "src" / "events.ts").read_text(encoding="utf-8")
    assert checked_in == generated, (
        "packages/client/src/events.ts is out of date: run `make events`"
    )
    assert checked_in.startswith("// Generated from graphs/event_schema.py by `make events`")


def test_json_schema_is_a_union_keyed_by_type():
    schema = event_json_schema()
    mapping = schema["discriminator"]["mapping"]
    assert schema["discriminator"]["propertyName"] == "type"
    assert set(mapping) == {
        "customer_message",
        "status",
        "tool",
        "token",
        "handoff",
        "agent_message",
        "agent_typing",
        "done",
        "speech_interrupted",
        "error",
    }
    for model in schema["$defs"].values():
        assert model["description"]
        for name, field in model["properties"].items():
            assert name == "type" or field.get("description"), (model["title"], name)


def test_payload_models_have_the_keys_of_the_state_they_copy():
    assert set(HandoffSentiment.model_fields) == set(SentimentState.__annotations__)
    assert set(HandoffCustomer.model_fields) == set(Customer.__annotations__)


def _validated(chat: Conversation) -> list[str]:
    for event in chat.events:
        assert validate_event(event) is event
    return [event["type"] for event in chat.events]


def test_every_event_of_a_real_conversation_validates(graph, services):
    seen: set[str] = set()
    chat = Conversation(graph)

    chat.say("where is my order #W1234567?")
    seen.update(_validated(chat))
    chat.say("I want to cancel it")
    seen.update(_validated(chat))
    chat.say("I don't need it anymore")
    seen.update(_validated(chat))
    chat.say("yes")
    seen.update(_validated(chat))
    assert services.orders.get_order_details("#W1234567")["status"] == "cancelled"

    chat.say("what is your return policy?")
    seen.update(_validated(chat))
    assert "search_knowledge_base" in chat.tools_called()

    chat.say("this is the third time I ask, get me a human")
    seen.update(_validated(chat))
    handoff = next(e for e in chat.events if e["type"] == "handoff")
    assert handoff["payload"]["type"] == "handoff"
    chat.agent("reply", "Hi Alex, Dana here.")
    seen.update(_validated(chat))
    assert [e["payload"]["type"] for e in chat.events if e["type"] == "handoff"] == [
        "awaiting_agent"
    ]
    chat.say("thanks Dana")
    seen.update(_validated(chat))
    assert [e["payload"]["type"] for e in chat.events if e["type"] == "handoff"] == [
        "customer_message"
    ]
    chat.agent("resolve", "All sorted.")
    seen.update(_validated(chat))
    assert chat.done["handoff_status"] == "resolved"

    assert seen >= {"tool", "token", "handoff", "agent_message", "done"}


DONE = {
    "type": "done",
    "conversation_id": "c1",
    "reply": "Order #W1234567 is pending.",
    "waiting_for_human": False,
    "handoff_status": "none",
}


@pytest.mark.parametrize(
    "event",
    [
        {"type": "customer_message", "text": "hi"},
        {"type": "status", "text": "Many customers are writing right now."},
        {
            "type": "error",
            "detail": "The turn could not be completed.",
            "retryable": True,
            "error": "RuntimeError",
        },
        {"type": "error", "code": "invalid_request", "detail": "String should have at least 1"},
        {"type": "error", "code": "rate_limited"},
        DONE,
    ],
)
def test_shapes_the_server_sends_validate(event):
    assert validate_event(event) is event


def test_queue_updates_validate():
    row: dict[str, Any] = dict.fromkeys(QueueRow.model_fields)
    row.update(conversation_id="c1", status="waiting", created_at=1.0, updated_at=1.0)
    event = {"type": "queue_update", "entry": row}
    assert validate_queue_event(event) is event
    with pytest.raises(ValidationError):
        validate_queue_event({"type": "queue_update", "entry": {**row, "status": "lost"}})


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"type": "typing", "text": "..."}, "union_tag_invalid"),
        ({"text": "no type"}, "union_tag_not_found"),
        ({"type": "token"}, "missing"),
        ({k: v for k, v in DONE.items() if k != "reply"}, "missing"),
        ({"type": "handoff", "payload": {"type": "handoff"}}, "missing"),
        ({"type": "token", "text": 42}, "string_type"),
        ({**DONE, "waiting_for_human": "yes"}, "bool_type"),
        ({**DONE, "handoff_status": "escalated"}, "literal_error"),
        (
            {"type": "tool", "name": "x", "phase": "middle", "summary": "", "ok": True},
            "literal_error",
        ),
        ({"type": "status", "text": "hi", "extra": 1}, "extra_forbidden"),
        ({"type": "error", "code": "teapot"}, "literal_error"),
    ],
)
def test_malformed_events_are_rejected(event, problem):
    with pytest.raises(ValidationError) as error:
        validate_event(event)
    assert problem in {e["type"] for e in error.value.errors()}


def test_validation_is_cheap():
    token = {"type": "token", "text": "Order "}
    per_event = min(timeit.repeat(lambda: validate_event(token), number=2000, repeat=3)) / 2000
    assert per_event < 100e-6  # generous: a few microseconds on a laptop
