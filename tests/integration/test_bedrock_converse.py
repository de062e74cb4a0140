"""The support graph drafting with the real `ChatBedrockConverse` against a loopback Bedrock.

The client signs, retries and parses the event stream exactly as against AWS; only the
model's words are scripted (tests/bedrock_stub.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from graphs.drafting.llm import load_chat_model
from graphs.services import Services
from tests.bedrock_stub import Answer, BedrockStub, RecordedRequest
from tests.scenarios.helpers import Conversation

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
REGION = "eu-west-1"
ACCESS_KEY, SECRET_KEY, SESSION_TOKEN = "AKIDLOOPBACK", "loopback-secret", "loopback-token"
ATTEMPTS = 3


@pytest.fixture(scope="module")
def stub() -> Iterator[BedrockStub]:
    server = BedrockStub()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bedrock(
    stub: BedrockStub, services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Iterator[BedrockStub]:
    """Point the services' settings at the stub, with known credentials and a fresh client."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    services.load_model = partial(
        load_chat_model, region=REGION, endpoint_url=stub.url, max_attempts=ATTEMPTS
    )
    # These tests pin the wording mode's wire format; `planning` below switches it back.
    services.model_plans = False
    load_chat_model.cache_clear()
    stub.reset()
    yield stub
    load_chat_model.cache_clear()
    stub.reset()


def _chat(graph: Any) -> Conversation:
    chat = Conversation(graph)
    chat.context.model = f"bedrock_converse:{MODEL_ID}"
    return chat


def _drafting(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    """The drafting calls (the model may also have been asked for an intent)."""
    return [r for r in requests if "lookup_order" in r.body.decode()]


def test_streamed_tokens_reach_the_turn_events(graph, bedrock):
    text = "Your order #W1234567 is pending; it has not shipped yet."
    bedrock.script(text)
    chat = _chat(graph)
    reply = chat.say("where is my order #W1234567?")
    assert reply == text
    tokens = [e["text"] for e in chat.events if e["type"] == "token"]
    assert len(tokens) > 3 and "".join(tokens) == text
    assert chat.state["messages"][-1].additional_kwargs["author"] == "bot:model"
    (call,) = _drafting(bedrock.requests)
    assert call.streaming and call.model_id == MODEL_ID
    system = " ".join(block["text"] for block in call.json["system"])
    assert "#W1234567" in system
    tools = {t["toolSpec"]["name"] for t in call.json["toolConfig"]["tools"]}
    assert tools == {"lookup_order", "search_help_centre"}


def test_tool_use_round_trip(graph, bedrock):
    call = Answer(tool="lookup_order", tool_input={"order_id": "#W1234567"})
    bedrock.script(call, "Order #W1234567 is pending and will ship soon.")
    chat = _chat(graph)
    reply = chat.say("where is my order #W1234567?")
    assert reply == "Order #W1234567 is pending and will ship soon."
    first, second = _drafting(bedrock.requests)
    assistant, tool_turn = second.json["messages"][-2:]
    assert assistant["content"][-1]["toolUse"]["toolUseId"] == call.tool_use_id
    (result,) = [b["toolResult"] for b in tool_turn["content"] if "toolResult" in b]
    assert result["toolUseId"] == call.tool_use_id
    looked_up = result["content"][0]["text"]
    assert '"order_id": "#W1234567"' in looked_up and '"status": "pending"' in looked_up
    assert "toolResult" not in first.body.decode()


def test_throttling_is_retried_then_falls_back_to_the_grounded_drafter(graph, bedrock):
    bedrock.throttle()
    chat = _chat(graph)
    reply = chat.say("where is my order #W1234567?")
    assert len(_drafting(bedrock.requests)) == ATTEMPTS
    assert "#W1234567" in reply and "pending" in reply
    assert chat.state["messages"][-1].additional_kwargs["author"] == "bot:grounded"
    assert any(e["type"] == "status" for e in chat.events)
    assert "".join(e["text"] for e in chat.events if e["type"] == "token") == reply

    bedrock.reset()
    bedrock.script("It is still pending, and I will let you know when it ships.")
    again = chat.say("any news on #W1234567?")
    assert again == "It is still pending, and I will let you know when it ships."
    messages = chat.state["messages"]
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "HumanMessage",
        "AIMessage",
    ]
    history = _drafting(bedrock.requests)[0].json["messages"]
    assert history[0]["content"][0]["text"] == "where is my order #W1234567?"


def test_a_client_error_is_not_retried(graph, bedrock):
    bedrock.fail(400, "ValidationException", "The model id is not valid.")
    reply = _chat(graph).say("where is my order #W1234567?")
    assert len(_drafting(bedrock.requests)) == 1
    assert "#W1234567" in reply


def test_requests_carry_a_valid_sigv4_signature_for_bedrock(graph, bedrock):
    bedrock.script("Your order #W1234567 is pending.")
    _chat(graph).say("where is my order #W1234567?")
    (request,) = _drafting(bedrock.requests)
    authorization = request.headers["authorization"]
    match = re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})",
        authorization,
    )
    assert match, authorization
    credential, signed_headers, signature = match.groups()
    key, date, region, service, terminator = credential.split("/")
    assert (key, region, service, terminator) == (ACCESS_KEY, REGION, "bedrock", "aws4_request")
    assert request.headers["x-amz-date"].startswith(date)
    assert request.headers["x-amz-security-token"] == SESSION_TOKEN

    # Recompute the signature from what arrived: proves it covers this body and these headers.
    names = signed_headers.split(";")
    resigned = AWSRequest(
        method="POST",
        url=f"{bedrock.url}{request.raw_path}",
        data=request.body,
        headers={name: request.headers[name] for name in names},
    )
    resigned.context["timestamp"] = request.headers["x-amz-date"]
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN), "bedrock", REGION)
    string_to_sign = signer.string_to_sign(resigned, signer.canonical_request(resigned))
    assert signer.signature(string_to_sign, resigned) == signature


def test_the_model_plans_with_the_retail_tools_over_converse(graph, bedrock, services):
    services.model_plans = True
    call = Answer(tool="get_order_details", tool_input={"order_id": "#W1234567"})
    bedrock.script(call, "Order #W1234567 is pending; it has not shipped yet.")
    chat = _chat(graph)
    reply = chat.say("where is my order #W1234567?")
    assert reply.startswith("Order #W1234567 is pending")
    planning = [r for r in bedrock.requests if "cancel_pending_order" in r.body.decode()]
    first, second = planning[:2]
    tools = {t["toolSpec"]["name"] for t in first.json["toolConfig"]["tools"] if "toolSpec" in t}
    assert {"get_order_details", "cancel_pending_order", "search_help_centre"} <= tools
    (result,) = [
        b["toolResult"] for b in second.json["messages"][-1]["content"] if "toolResult" in b
    ]
    assert result["toolUseId"] == call.tool_use_id
    assert '"status": "pending"' in result["content"][0]["text"]
    assert chat.tools_called() == ["get_order_details"]
    # The system prompt and the tool definitions are marked for Bedrock's prompt cache.
    assert first.json["system"][-1] == {"cachePoint": {"type": "default"}}
    assert {"cachePoint": {"type": "default"}} in first.json["toolConfig"]["tools"]
    # Two model calls, each reporting the stub's usage: the turn's tokens and cost.
    usage = chat.done["usage"]
    assert (usage["calls"], usage["input_tokens"], usage["output_tokens"]) == (2, 200, 40)
    assert usage["cost_usd"] == pytest.approx(200 * 0.003 / 1000 + 40 * 0.015 / 1000)
    assert chat.done["planner"] == "model"


def test_prompt_caching_can_be_turned_off(graph, bedrock, services):
    from dataclasses import replace

    services.model_plans = True
    services.limits = replace(services.limits, prompt_cache=False)
    bedrock.script("Hello! How can I help?")
    _chat(graph).say("hi there, I have a question about my order")
    (request,) = [r for r in bedrock.requests if "cancel_pending_order" in r.body.decode()]
    assert "cachePoint" not in request.body.decode()
