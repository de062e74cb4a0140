"""`StepFlushSaver` on moto_server: DynamoDB calls on a turn's critical path, the table
layout plain `DynamoDBSaver` reads back, and a process killed mid-turn resuming from the
last completed step."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from graphs.context import Context
from graphs.support import compile_graph
from graphs.turns import stream_turn, turn_config
from memory.dynamodb import create_checkpoint_table, dynamodb_saver
from memory.step_flush import FLUSH_THREAD_NAME, StepFlushSaver
from tests.fakes import scripted
from tests.integration.conftest import MOTO_REGION
from tests.integration.dynamodb_turn_worker import CUSTOMER, MESSAGE
from tests.scenarios.helpers import Conversation

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

TABLE = "tandem-checkpoints-flush"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table(moto_endpoint: str) -> str:
    create_checkpoint_table(TABLE, MOTO_REGION, moto_endpoint)
    return TABLE


@pytest.fixture
def flushing(moto_endpoint: str, table: str) -> Iterator[StepFlushSaver]:
    saver = StepFlushSaver(dynamodb_saver(table, MOTO_REGION, moto_endpoint))
    yield saver
    saver.close()


class CriticalPath:
    """Counts the DynamoDB calls a turn waits for: those made on the turn's own threads,
    plus each time a read had to wait for a background flush already in flight."""

    def __init__(self, saver: StepFlushSaver) -> None:
        self.saver = saver
        self.calls: Counter[str] = Counter()
        self.background: Counter[str] = Counter()
        saver.inner.client.meta.events.register("before-call.dynamodb.*", self._count)

    def _count(self, model: Any, **_kwargs: Any) -> None:
        on_flusher = threading.current_thread().name == FLUSH_THREAD_NAME
        (self.background if on_flusher else self.calls)[model.name] += 1

    def turn(self, chat: Conversation, text: str) -> int:
        self.calls.clear()
        waits = self.saver.stats["barrier_waits"]
        chat.say(text)
        return sum(self.calls.values()) + self.saver.stats["barrier_waits"] - waits


def test_a_turn_makes_at_most_six_calls_on_its_critical_path(services, flushing) -> None:
    counter = CriticalPath(flushing)
    chat = Conversation(compile_graph(services, flushing), thread_id=uuid.uuid4().hex)
    first = counter.turn(chat, MESSAGE)
    assert 1 <= first <= 6, counter.calls
    second = counter.turn(chat, "and what about my refund policy?")
    assert 1 <= second <= 6, counter.calls
    assert "BatchWriteItem" in counter.calls + counter.background
    assert "PutItem" not in counter.calls + counter.background


def test_a_fresh_process_reads_the_turn_back_and_continues(
    services, moto_endpoint: str, table: str, flushing
) -> None:
    thread = uuid.uuid4().hex
    chat = Conversation(compile_graph(services, flushing), thread_id=thread)
    chat.say("please cancel #W1234567, I ordered it by mistake")
    assert chat.state["pending_action"]["tool"] == "cancel_pending_order"

    plain = dynamodb_saver(table, MOTO_REGION, moto_endpoint)
    stored = plain.get_tuple(turn_config(thread))
    assert stored is not None
    assert stored.checkpoint["channel_values"]["pending_action"]["tool"] == "cancel_pending_order"

    restarted = StepFlushSaver(dynamodb_saver(table, MOTO_REGION, moto_endpoint))
    try:
        counter = CriticalPath(restarted)
        again = Conversation(compile_graph(services, restarted), thread_id=thread)
        assert counter.turn(again, "yes") <= 6, counter.calls
        assert "cancelled" in again.done["reply"]
        assert services.orders.get_order_details("#W1234567")["status"] == "cancelled"
    finally:
        restarted.close()


def test_a_handoff_interrupt_is_stored_with_its_checkpoint(
    services, moto_endpoint: str, table: str, flushing
) -> None:
    thread = uuid.uuid4().hex
    chat = Conversation(compile_graph(services, flushing), thread_id=thread)
    chat.say("I want to talk to a real person")
    assert chat.done["waiting_for_human"] is True
    other_process = compile_graph(services, dynamodb_saver(table, MOTO_REGION, moto_endpoint))
    interrupts = Conversation(other_process, thread_id=thread).interrupts
    assert interrupts and interrupts[0].value["reason"] == "explicit_request"


def test_a_later_write_from_another_process_is_not_hidden(
    services, moto_endpoint: str, table: str, flushing
) -> None:
    thread = uuid.uuid4().hex
    mine = Conversation(compile_graph(services, flushing), thread_id=thread)
    mine.say(MESSAGE)
    theirs_saver = dynamodb_saver(table, MOTO_REGION, moto_endpoint)
    theirs = Conversation(compile_graph(services, theirs_saver), thread_id=thread)
    theirs.say("thanks, and how do returns work?")
    assert len(mine.state["messages"]) == 4


def _history(saver: Any, thread: str) -> list[Any]:
    return list(saver.list(turn_config(thread)))


def _ids(history: list[Any]) -> list[str]:
    return [item.config["configurable"]["checkpoint_id"] for item in history]


def test_a_process_killed_mid_turn_resumes_from_the_last_completed_step(
    services, moto_endpoint: str, table: str, shared_backends: dict[str, Any]
) -> None:
    thread = f"crash-{uuid.uuid4().hex}"
    data_dir = Path(shared_backends["orders"].path).parent
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.dynamodb_turn_worker",
            *("--endpoint", moto_endpoint, "--table", table, "--thread", thread),
            *("--data-dir", str(data_dir), "--region", MOTO_REGION),
        ],
        cwd=REPO_ROOT,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert worker.stdout is not None
        seen = []
        for line in worker.stdout:
            seen.append(line.strip())
            if line.strip() == "token":
                break
        assert seen and seen[-1] == "token", worker.stderr.read() if worker.stderr else seen
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert "done" not in seen

    saver = StepFlushSaver(dynamodb_saver(table, MOTO_REGION, moto_endpoint))
    try:
        graph = compile_graph(services, saver)
        config = turn_config(thread)
        killed_at = graph.get_state(config)
        assert killed_at.next == ("draft",), "the last completed step is the one before drafting"
        assert [type(m) for m in killed_at.values["messages"]] == [HumanMessage]
        before = _history(saver, thread)

        services.chat_model = scripted("Your order #W1234567 is pending.")
        services.model_plans = False
        context = Context(customer_id=CUSTOMER, model="")
        events = list(stream_turn(graph, thread, None, context))  # type: ignore[arg-type]
        assert events[-1]["reply"] == "Your order #W1234567 is pending."
        messages = graph.get_state(config).values["messages"]
        assert [type(m) for m in messages] == [HumanMessage, AIMessage]
        assert messages[0].content == MESSAGE

        after = _history(saver, thread)
        assert _ids(after)[len(after) - len(before) :] == _ids(before), "resumed on top"
        for newer, older in itertools.pairwise(after):
            assert (
                newer.parent_config["configurable"]["checkpoint_id"]
                == (older.config["configurable"]["checkpoint_id"])
            ), "one linear history: no fork"
    finally:
        saver.close()
