"""Personal data a customer types reaches no store, no event, no API and no model prompt.

A message with a card number, an SSN, a phone number and an email goes through a
model-planned turn that hands the conversation to a human; the raw values must then be
absent from every file in the data folder (checkpoints, event log, queue, long-term
memory), from the streamed and stored events, the queue entry, both transcript APIs and
every prompt the scripted model received.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from config.settings import Settings
from graphs.services import Services
from tests.fakes import scripted
from tests.server.conftest import parse_sse

CARD, SSN, PHONE, EMAIL = "4242 4242 4242 4242", "123-45-6789", "(415) 555-2671", "jo@example.org"
RAW = (CARD, SSN, PHONE, EMAIL, "4242424242424242", "415555", "jo@")
MESSAGE = (
    f"My card {CARD} was charged twice for order #W2378156, my SSN is {SSN}, "
    f"call me at {PHONE} or write to {EMAIL}. I want a person."
)


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    settings.rate_limit_per_minute = 1000
    settings.checkpointer = "sqlite"
    return settings


def _leaks(text: str) -> list[str]:
    return [value for value in RAW if value in text]


def test_raw_pii_reaches_no_store_event_api_or_prompt(
    api, services: Services, server_settings: Settings
) -> None:
    transfer = AIMessage(
        content="",
        tool_calls=[{"name": "transfer_to_human_agents", "args": {"summary": "x"}, "id": "t1"}],
    )
    services.chat_model = scripted(transfer)
    alex = api.customer()
    conversation = api.new_conversation(alex)
    events = api.say(conversation, MESSAGE, alex)
    assert events[-1]["type"] == "done" and events[-1]["waiting_for_human"] is True

    echo = next(e for e in events if e["type"] == "customer_message")
    assert "[CARD ••4242]" in echo["text"] and "#W2378156" in echo["text"]
    assert _leaks(json.dumps(events)) == []

    with api.client.stream(
        "GET",
        f"/v1/conversations/{conversation}/events",
        params={"after": 0, "until_done": "true"},
        headers=alex,
    ) as replay:
        replayed = parse_sse(replay.iter_lines())
    assert any(e["type"] == "customer_message" for e in replayed)
    assert _leaks(json.dumps(replayed)) == []

    transcript = api.client.get(f"/v1/conversations/{conversation}/messages", headers=alex)
    assert transcript.status_code == 200
    assert "[SSN]" in transcript.text and "[PHONE]" in transcript.text
    assert "[EMAIL]" in transcript.text and "#W2378156" in transcript.text
    assert _leaks(transcript.text) == []

    agent = api.agent()
    queue = api.client.get("/v1/queue", headers=agent)
    entry = next(e for e in queue.json() if e["conversation_id"] == conversation)
    assert "[CARD ••4242]" in (entry["last_message"] or "")
    assert _leaks(json.dumps(entry)) == []
    staff_view = api.client.get(f"/v1/queue/{conversation}/transcript", headers=agent)
    assert staff_view.status_code == 200 and _leaks(staff_view.text) == []

    prompts = services.chat_model.seen  # type: ignore[union-attr]
    assert prompts, "the model planned the turn"
    assert _leaks(json.dumps([[str(m.content) for m in p] for p in prompts])) == []

    files = [p for p in Path(server_settings.data_dir).rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" or "checkpoint" in p.name for p in files)
    for path in files:
        data = path.read_bytes().decode("utf-8", errors="ignore")
        assert _leaks(data) == [], path.name
