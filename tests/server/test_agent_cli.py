"""`tandem agent reply` runs through the same turn runner as the agent console.

The server (in process) and the command share a data folder, as a server and a terminal
on one machine do: the command takes the conversation's lease, resolves the queue entry,
and the customer's open `/events` stream receives the agent's message live.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from config.settings import Settings, get_settings
from conversations.lease_sqlite import SqliteLease
from server.app import create_app
from tests.server.conftest import Api, parse_sse
from tools.intent import IntentClassifier


@pytest.fixture
def shared_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_backends: dict[str, Any]
) -> Iterator[Settings]:
    """Settings both the server and the command read: SQLite checkpoints in one folder."""
    data = tmp_path / "data"
    classifier = shared_backends["classifier"]
    classifier.save(IntentClassifier.cache_path(shared_backends["catalogue"], data / "cache"))
    for name, value in {
        "TANDEM_DATA_DIR": str(data),
        "TANDEM_CHECKPOINTER": "sqlite",
        "TANDEM_MODEL": "",
        "TANDEM_LEASE_BACKEND": "sqlite",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield Settings(rate_limit_per_minute=1000)
    get_settings.cache_clear()


@pytest.fixture
def live_api(shared_data: Settings, services: Any) -> Iterator[Api]:
    with TestClient(create_app(shared_data, services)) as client:
        yield Api(client, shared_data)


def _handed_off(api: Api) -> tuple[dict[str, str], str, int]:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    events = api.say(conversation, "this is the third time I ask, get me a human", alex)
    assert events[-1]["waiting_for_human"] is True
    return alex, conversation, events[-1]["id"]


def test_agent_reply_from_the_terminal_reaches_the_open_stream_and_resolves(live_api):
    alex, conversation, cursor = _handed_off(live_api)
    received: list[dict[str, Any]] = []
    listening = threading.Event()

    def listen() -> None:
        with live_api.client.stream(
            "GET",
            f"/v1/conversations/{conversation}/events?after={cursor}&until_done=true",
            headers=alex,
        ) as response:
            listening.set()
            received.extend(parse_sse(response.iter_lines()))

    stream = threading.Thread(target=listen)
    stream.start()
    assert listening.wait(10)
    result = CliRunner().invoke(
        cli, ["agent", "reply", conversation, "Hi Alex, Dana here.", "--as", "Dana", "--resolve"]
    )
    stream.join(20)
    assert result.exit_code == 0, result.output
    assert "handoff status: resolved" in result.output
    messages = [e for e in received if e["type"] == "agent_message"]
    assert [m["text"] for m in messages] == ["Hi Alex, Dana here."]
    assert messages[0]["agent"] == "Dana"
    assert received[-1]["type"] == "done" and received[-1]["handoff_status"] == "resolved"
    assert [e["id"] for e in received] == sorted({e["id"] for e in received})
    transcript = live_api.client.get(
        f"/v1/queue/{conversation}/transcript", headers=live_api.agent("dana")
    ).json()
    assert transcript["queue"]["status"] == "resolved"
    assert transcript["queue"]["claimed_by"] == "Dana"


def test_agent_reply_waits_for_the_conversation_lease(live_api, shared_data):
    _, conversation, _ = _handed_off(live_api)
    other_process = SqliteLease(shared_data.lease_db, owner="another-process")
    assert asyncio.run(other_process.acquire(conversation))
    try:
        result = CliRunner().invoke(cli, ["agent", "reply", conversation, "Hello", "--as", "Dana"])
        assert result.exit_code == 1
        assert "A turn is running" in result.output
        entry = live_api.client.get("/v1/queue", headers=live_api.agent()).json()
        assert next(e for e in entry if e["conversation_id"] == conversation)["claimed_by"] in (
            None,
            "Dana",
        )
    finally:
        asyncio.run(other_process.release(conversation))
        other_process.close()
    result = CliRunner().invoke(cli, ["agent", "reply", conversation, "Hello", "--as", "Dana"])
    assert result.exit_code == 0, result.output
    assert "handoff status: human" in result.output


def test_agent_reply_refuses_a_conversation_another_agent_claimed(live_api):
    _, conversation, _ = _handed_off(live_api)
    claim = live_api.client.post(f"/v1/queue/{conversation}/claim", headers=live_api.agent("eli"))
    assert claim.status_code == 200
    result = CliRunner().invoke(cli, ["agent", "reply", conversation, "Hi", "--as", "Dana"])
    assert result.exit_code == 1
    assert "claimed by eli" in result.output


def test_agent_reply_on_an_unknown_conversation_is_a_clear_error(live_api):
    result = CliRunner().invoke(cli, ["agent", "reply", "nope", "Hi", "--as", "Dana"])
    assert result.exit_code == 1
    assert "No conversation nope" in result.output


async def test_terminal_chat_shows_an_agent_reply_posted_from_elsewhere(
    shared_data, services, monkeypatch
):
    import io

    from rich.console import Console

    from cli import chat as chat_cli
    from cli.agent import act_as_agent
    from graphs.context import Context
    from wiring.root import Root
    from wiring.turns import open_turns

    screen = io.StringIO()
    monkeypatch.setattr(chat_cli, "console", Console(file=screen, width=200))
    async with open_turns(Root(get_settings(), services)) as turns:
        conversation = "terminal-1"
        turns.store.create_conversation(conversation, "alex_morgan_1001", "cli")
        renderer = chat_cli.Renderer()
        follower = asyncio.create_task(chat_cli._follow(turns, conversation, renderer))
        try:
            await turns.runner.start_customer_turn(
                conversation,
                "get me a human please",
                "cli",
                Context(customer_id="alex_morgan_1001"),
            )
            await asyncio.wait_for(renderer.turn_over.wait(), 30)
            assert "Waiting for a person" in screen.getvalue()
            renderer.turn_over.clear()
            # The agent answers from another process: its own runtime on the same data folder.
            status = await asyncio.to_thread(
                asyncio.run, act_as_agent(conversation, "reply", "Hi Alex, Dana here.", "Dana")
            )
            assert status == "human"
            await asyncio.wait_for(renderer.turn_over.wait(), 10)
        finally:
            follower.cancel()
    assert "Dana (agent) › Hi Alex, Dana here." in screen.getvalue()


def test_terminal_agent_actions_are_audited_and_exported(live_api, tmp_path):
    _, conversation, _ = _handed_off(live_api)
    claim = live_api.client.post(f"/v1/queue/{conversation}/claim", headers=live_api.agent("eli"))
    assert claim.status_code == 200
    refused = CliRunner().invoke(cli, ["agent", "reply", conversation, "Hi", "--as", "Dana"])
    assert refused.exit_code == 1
    done = CliRunner().invoke(
        cli, ["agent", "reply", conversation, "Hi, Eli here.", "--as", "eli", "--resolve"]
    )
    assert done.exit_code == 0, done.output
    out = tmp_path / "audit.jsonl"
    exported = CliRunner().invoke(
        cli, ["audit", "export", "--conversation", conversation, "--output", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    entries = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["actor"], e["action"], e["outcome"]) for e in entries] == [
        ("eli", "queue.claim", "ok"),
        ("Dana", "queue.reply", "refused"),
        ("eli", "queue.resolve", "ok"),
    ]
    as_csv = CliRunner().invoke(cli, ["audit", "export", "--format", "csv", "--actor", "Dana"])
    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.output.splitlines()[0].startswith("id,at,actor,role,action")
    assert len(as_csv.output.splitlines()) == 2
