"""Bounded SQLite checkpoints: trimming, crash-resume and interrupts with few kept, idle expiry."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from memory.checkpoint_retention import TrimSchedule, checkpoint_time
from memory.checkpointer import async_sqlite_saver, sqlite_saver


class Steps(TypedDict):
    done: list[str]


def _graph(saver: Any, crash: dict[str, bool], ran: list[str]) -> Any:
    """a -> b -> c; `b` raises while `crash["b"]` is set (a process dying mid-turn)."""

    def step(name: str) -> Any:
        def run(state: Steps) -> dict[str, list[str]]:
            ran.append(name)
            if crash.get(name):
                raise RuntimeError(f"crash in {name}")
            return {"done": [*state["done"], name]}

        return run

    builder = StateGraph(Steps)
    for name in "abc":
        builder.add_node(name, step(name))
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    builder.add_edge("c", END)
    return builder.compile(checkpointer=saver)


def _rows(path: Path, thread: str) -> tuple[int, int]:
    conn = sqlite3.connect(str(path))
    try:
        checkpoints = conn.execute(
            "SELECT COUNT(*) FROM checkpoints WHERE thread_id = ?", (thread,)
        ).fetchone()[0]
        writes = conn.execute(
            "SELECT COUNT(*) FROM writes WHERE thread_id = ?", (thread,)
        ).fetchone()[0]
    finally:
        conn.close()
    return checkpoints, writes


def test_each_thread_keeps_its_newest_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    saver = sqlite_saver(path, keep=2, trim_every=1)
    graph = _graph(saver, {}, [])
    for n in range(5):
        graph.invoke({"done": []}, {"configurable": {"thread_id": f"t{n % 2}"}})
    for thread in ("t0", "t1"):
        assert _rows(path, thread)[0] == 2
        latest = saver.get_tuple({"configurable": {"thread_id": thread}})
        assert latest is not None and latest.checkpoint["channel_values"]["done"] == list("abc")
    saver.conn.close()


def test_a_namespace_is_trimmed_on_its_first_checkpoint_then_every_nth(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    config = {"configurable": {"thread_id": "t"}}
    kept_all = sqlite_saver(path, keep=0)
    for _ in range(3):
        _graph(kept_all, {}, []).invoke({"done": []}, config)
    kept_all.conn.close()
    assert _rows(path, "t")[0] == 15

    saver = sqlite_saver(path, keep=2, trim_every=8)
    graph = _graph(saver, {}, [])
    graph.invoke({"done": []}, config)
    assert _rows(path, "t")[0] == 2 + 4, "the first checkpoint trims, the next four wait"
    counts = []
    for _ in range(6):
        graph.invoke({"done": []}, config)
        counts.append(_rows(path, "t")[0])
    # five checkpoints per run; every eighth trims back to two
    assert counts == [3, 8, 5, 2, 7, 4]
    saver.conn.close()


def test_trim_schedule_counts_per_namespace_and_restarts_when_forgotten() -> None:
    schedule = TrimSchedule(every=3, remembered=2)
    due = [schedule.due("a", "") for _ in range(7)]
    assert due == [True, False, False, True, False, False, True]
    assert schedule.due("b", "") is True and schedule.due("b", "sub") is True
    assert schedule.due("a", "") is True, "the least recent namespace was forgotten: trim again"
    schedule.forget(["a"])
    assert schedule.due("a", "") is True
    with pytest.raises(ValueError):
        TrimSchedule(every=0)


def test_keeping_all_keeps_every_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    saver = sqlite_saver(path, keep=0)
    graph = _graph(saver, {}, [])
    for _ in range(3):
        graph.invoke({"done": []}, {"configurable": {"thread_id": "t"}})
    assert _rows(path, "t")[0] == 3 * 5  # input, start, a, b, c per run
    saver.conn.close()


def test_a_turn_that_crashed_midway_resumes_from_its_last_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    config = {"configurable": {"thread_id": "crash"}}
    crash, ran = {"b": True}, []
    saver = sqlite_saver(path, keep=1, trim_every=1)
    with pytest.raises(RuntimeError):
        _graph(saver, crash, ran).invoke({"done": []}, config)
    saver.conn.close()
    assert ran == ["a", "b"]
    assert _rows(path, "crash")[0] == 1

    crash["b"] = False
    reopened = sqlite_saver(path, keep=1)
    result = _graph(reopened, crash, ran).invoke(None, config)
    assert result["done"] == ["a", "b", "c"]
    assert ran == ["a", "b", "b", "c"]  # `a` is not run again
    reopened.conn.close()


def test_an_interrupt_resumes_with_one_checkpoint_kept(tmp_path: Path) -> None:
    def ask(state: Steps) -> dict[str, list[str]]:
        answer = interrupt("approve?")
        return {"done": [*state["done"], str(answer)]}

    builder = StateGraph(Steps)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    path = tmp_path / "c.sqlite"
    config = {"configurable": {"thread_id": "i"}}
    saver = sqlite_saver(path, keep=1)
    first = builder.compile(checkpointer=saver).invoke({"done": []}, config)
    assert first["__interrupt__"][0].value == "approve?"
    saver.conn.close()

    reopened = sqlite_saver(path, keep=1)
    result = builder.compile(checkpointer=reopened).invoke(Command(resume="yes"), config)
    assert result["done"] == ["yes"]
    reopened.conn.close()


def test_checkpoint_ids_carry_their_time(tmp_path: Path) -> None:
    saver = sqlite_saver(tmp_path / "c.sqlite")
    before = time.time()
    _graph(saver, {}, []).invoke({"done": []}, {"configurable": {"thread_id": "t"}})
    latest = saver.get_tuple({"configurable": {"thread_id": "t"}})
    assert latest is not None
    made = checkpoint_time(latest.checkpoint["id"])
    assert made is not None and before - 1 <= made <= time.time() + 1
    assert checkpoint_time("not-a-uuid") is None
    saver.conn.close()


def test_idle_conversations_expire_whole(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    saver = sqlite_saver(path, keep=3, idle_seconds=3600)
    graph = _graph(saver, {}, [])
    graph.invoke({"done": []}, {"configurable": {"thread_id": "old"}})
    assert saver.expire_idle() == []
    assert saver.expire_idle(now=time.time() + 7200) == ["old"]
    assert _rows(path, "old") == (0, 0)
    saver.conn.close()


def test_a_saver_opened_sweeps_idle_conversations(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    saver = sqlite_saver(path)
    _graph(saver, {}, []).invoke({"done": []}, {"configurable": {"thread_id": "idle"}})
    saver.conn.close()
    time.sleep(1.1)
    reopened = sqlite_saver(path, idle_seconds=1)
    assert _rows(path, "idle") == (0, 0)
    reopened.conn.close()


async def test_async_saver_trims_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    config = {"configurable": {"thread_id": "a"}}
    crash, ran = {"b": True}, []
    async with async_sqlite_saver(path, keep=1, trim_every=1) as saver:
        with pytest.raises(RuntimeError):
            await _graph(saver, crash, ran).ainvoke({"done": []}, config)
    assert _rows(path, "a")[0] == 1
    crash["b"] = False
    async with async_sqlite_saver(path, keep=1) as saver:
        result = await _graph(saver, crash, ran).ainvoke(None, config)
        assert result["done"] == ["a", "b", "c"]
        assert await saver.aexpire_idle(now=time.time() + 10) == []
        saver.idle_seconds = 5
        assert await saver.aexpire_idle(now=time.time() + 10) == ["a"]
    assert _rows(path, "a") == (0, 0)
