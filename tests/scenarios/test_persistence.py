"""A conversation survives a restart of the process (SQLite checkpoints on disk), with every
checkpoint kept and with only the newest one kept per conversation."""

from __future__ import annotations

import pytest

from graphs.support import compile_graph
from memory.checkpointer import sqlite_saver
from tests.scenarios.helpers import Conversation


@pytest.mark.parametrize("keep", [0, 1])
def test_pending_confirmation_survives_a_restart(services, tmp_path, keep):
    path = tmp_path / "checkpoints.sqlite"
    saver = sqlite_saver(path, keep=keep)
    chat = Conversation(compile_graph(services, saver), thread_id="restart-1")
    chat.say("please cancel #W1234567, I ordered it by mistake")
    assert chat.state["pending_action"]["tool"] == "cancel_pending_order"
    saver.conn.close()

    reopened = sqlite_saver(path, keep=keep)
    again = Conversation(compile_graph(services, reopened), thread_id="restart-1")
    assert len(again.state["messages"]) == 2
    reply = again.say("yes")
    assert "cancelled" in reply
    assert services.orders.get_order_details("#W1234567")["status"] == "cancelled"
    reopened.conn.close()


@pytest.mark.parametrize("keep", [0, 1])
def test_handoff_waits_across_a_restart(services, tmp_path, keep):
    path = tmp_path / "checkpoints.sqlite"
    saver = sqlite_saver(path, keep=keep)
    Conversation(compile_graph(services, saver), thread_id="h1").say("a human please")
    saver.conn.close()

    reopened = sqlite_saver(path, keep=keep)
    chat = Conversation(compile_graph(services, reopened), thread_id="h1")
    assert chat.interrupts
    done = chat.agent("reply", "Hello from the team.")
    assert done["handoff_status"] == "human"
    reopened.conn.close()
