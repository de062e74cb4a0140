"""Checkpoints store customers' messages redacted, whatever the graph did with them."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import empty_checkpoint

from memory.checkpointer import sqlite_saver
from tools.pii import redact
from wiring.persistence import redacting

RAW = "pay with 4242 4242 4242 4242, ssn 123-45-6789, order #W2378156"


def test_sqlite_checkpoints_and_writes_hold_no_raw_customer_text(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.sqlite"
    saver = redacting(sqlite_saver(path))
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    checkpoint = empty_checkpoint()
    bot = AIMessage(content="Your card 4242 4242 4242 4242 is noted", id="b")
    checkpoint["channel_values"] = {
        "__start__": {"messages": [HumanMessage(content=RAW, id="h")]},
        "messages": [HumanMessage(content=RAW, id="h"), bot],
    }
    stored = saver.put(config, checkpoint, {"source": "input", "step": -1}, {})  # type: ignore[arg-type]
    saver.put_writes(stored, [("messages", [HumanMessage(content=RAW, id="h")])], "task-1")
    saver.conn.commit()

    loaded = saver.get_tuple(stored)
    assert loaded is not None
    human, ai = loaded.checkpoint["channel_values"]["messages"]
    assert human.content == redact(RAW) and "#W2378156" in human.content
    assert ai.content == bot.content, "only customers' messages are redacted"
    assert loaded.pending_writes[0][2][0].content == redact(RAW)
    saver.conn.close()
    for file in tmp_path.iterdir():
        data = file.read_bytes()
        assert b"4242 4242 4242 4242, ssn" not in data and b"123-45-6789" not in data
