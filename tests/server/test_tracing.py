"""Traces of real turns, exported over OTLP/HTTP to a receiver on loopback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage

from server.app import create_app
from server.logs import ContextFilter
from tests.fakes import scripted
from tests.otlp_receiver import OtlpReceiver, serve_otlp
from tests.server.conftest import Api

pytestmark = pytest.mark.enable_socket

MESSAGES_ROUTE = "POST /v1/conversations/{conversation_id}/messages"


@pytest.fixture
def otlp(monkeypatch: pytest.MonkeyPatch) -> Iterator[OtlpReceiver]:
    with serve_otlp() as receiver:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        monkeypatch.setenv("OTEL_SERVICE_NAME", "tandem-test")
        monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
        yield receiver


def _turn(receiver: OtlpReceiver, conversation_id: str):
    [turn] = [
        span
        for span in receiver.named("turn")
        if span.attributes["tandem.conversation_id"] == conversation_id
    ]
    return turn


def test_a_turn_is_one_trace_from_the_request_to_each_store_call(otlp, server_settings, services):
    with TestClient(create_app(server_settings, services)) as client:
        api = Api(client, server_settings)
        alex = api.customer()
        conversation = api.new_conversation(alex)
        with client.stream(
            "POST",
            f"/v1/conversations/{conversation}/messages",
            json={"text": "Where is my order #W1234567?"},
            headers={**alex, "X-Request-ID": "req-trace-1"},
        ) as response:
            assert response.status_code == 200
            response.read()
    # leaving the app flushed the exporter
    [request] = [s for s in otlp.named(MESSAGES_ROUTE) if s.kind == 2]  # SERVER
    assert request.attributes["tandem.request_id"] == "req-trace-1"
    assert request.service == "tandem-test"
    turn = _turn(otlp, conversation)
    assert turn.parent_id == request.span_id and turn.trace_id == request.trace_id
    assert turn.attributes["tandem.request_id"] == "req-trace-1"
    assert turn.attributes["tandem.turn.kind"] == "customer"
    assert turn.attributes["tandem.turn.outcome"] == "done"
    nodes = {span.name: span for span in otlp.children(turn)}
    assert {"node guard", "node understand"} <= set(nodes)
    store_calls = [
        span
        for node in nodes.values()
        for span in otlp.children(node)
        if span.attributes.get("tandem.component") == "orders"
    ]
    assert store_calls, "the order lookup is a span under the node that made it"
    assert [s.name for s in otlp.children(nodes["node draft"])] == []  # one span a node
    in_turn = [s for s in otlp.spans if s.name.startswith(("node ", "orders."))]
    assert all(span.trace_id == request.trace_id for span in in_turn)
    assert not [s for s in otlp.spans if s.name.endswith(" http send")]  # none per token
    for span in otlp.spans:  # no personal data: the order number and the customer stay out
        text = json.dumps(span.attributes)
        assert "W1234567" not in text and "alex" not in text


def test_a_model_call_is_a_span_with_tokens_cost_and_first_token(otlp, server_settings, services):
    reply = AIMessage(
        content="Hello! How can I help you today?",
        usage_metadata={"input_tokens": 1200, "output_tokens": 9, "total_tokens": 1209},
        response_metadata={"model_name": "anthropic.claude-3-5-haiku-20241022-v1:0"},
    )
    services.chat_model = scripted(reply)
    with TestClient(create_app(server_settings, services)) as client:
        api = Api(client, server_settings)
        alex = api.customer()
        conversation = api.new_conversation(alex)
        events = api.say(conversation, "hello there", alex)
        assert events[-1]["type"] == "done" and events[-1]["planner"] == "model"
    turn = _turn(otlp, conversation)
    [model] = otlp.named("model")
    node = next(span for span in otlp.spans if span.span_id == model.parent_id)
    assert node.name.startswith("node ") and node.parent_id == turn.span_id
    assert model.attributes["gen_ai.usage.input_tokens"] == 1200
    assert model.attributes["gen_ai.usage.output_tokens"] == 9
    assert model.attributes["tandem.model.time_to_first_token_ms"] >= 0
    assert turn.attributes["gen_ai.usage.input_tokens"] == 1200


def test_tracing_is_off_without_an_endpoint(monkeypatch, server_settings, services):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    with serve_otlp() as receiver, TestClient(create_app(server_settings, services)) as client:
        api = Api(client, server_settings)
        alex = api.customer()
        api.say(api.new_conversation(alex), "Where is my order #W1234567?", alex)
        assert not hasattr(client.app.state.runtime.services.orders, "_target")
    assert receiver.requests == 0


def test_log_lines_carry_the_trace_id_of_the_current_span():
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("test")
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
    ContextFilter().filter(record)
    assert record.trace_id is None
    with tracer.start_as_current_span("work") as span:
        ContextFilter().filter(record)
    assert record.trace_id == format(span.get_span_context().trace_id, "032x")
    assert record.span_id == format(span.get_span_context().span_id, "016x")
