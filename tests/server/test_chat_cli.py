"""`tandem chat`: resuming a conversation prints its whole transcript, not only the state's."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import graphs.messages
from cli.main import app as cli
from config.settings import Settings
from tests.server.test_agent_cli import shared_data

__all__ = ["shared_data"]  # the fixture this module uses


def test_resuming_prints_messages_the_state_no_longer_keeps(
    shared_data: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graphs.messages, "TRANSCRIPT_WINDOW", 2)
    runner = CliRunner()
    chat = ["chat", "--conversation", "cli-long"]
    first = runner.invoke(cli, [*chat, "-m", "hello", "-m", "thanks"])
    assert first.exit_code == 0, first.output

    again = runner.invoke(cli, [*chat, "-m", "goodbye"])
    assert again.exit_code == 0, again.output
    history = again.output.split("Conversation cli-long.")[0]
    assert history.count("you ›") == 2
    assert "hello" in history and "thanks" in history
    assert history.count("tandem ›") == 2
