"""Admission control: customer turns beyond the adaptive limit wait in line, in order."""

from __future__ import annotations

import asyncio
import threading

import pytest

from conversations.admission import (
    BUSY_SHARE,
    DECREASE,
    IDLE_INCREASE,
    TurnGate,
    machine_idle_seconds,
)
from conversations.runner import BUSY_STATUS
from tests.server.conftest import parse_sse
from tests.server.test_chat_api import _slow_kb


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_turns_beyond_the_limit_wait_and_start_in_arrival_order():
    gate = TurnGate(target_lag=0.005, limit=2, minimum=1)
    started: list[str] = []
    release = asyncio.Event()

    async def turn(name: str) -> None:
        async with gate.slot():
            started.append(name)
            await release.wait()

    tasks = [asyncio.create_task(turn(name)) for name in "abcd"]
    await _settle()
    assert started == ["a", "b"]
    assert (gate.running, gate.waiting, gate.has_room()) == (2, 2, False)
    release.set()
    await asyncio.gather(*tasks)
    assert started == ["a", "b", "c", "d"]
    assert (gate.running, gate.waiting, gate.has_room()) == (0, 0, True)


def test_the_limit_shrinks_while_the_loop_lags_down_to_its_floor():
    gate = TurnGate(target_lag=0.005, limit=40, minimum=8)
    gate.observe(0.050)
    assert gate.limit == pytest.approx(40 * DECREASE)
    for _ in range(100):
        gate.observe(0.050)
    assert gate.limit == 8
    for _ in range(50):
        gate.observe(0.0)
    assert gate.limit == 8, "no turn waits, so there is no reason to let more in"


async def test_the_limit_grows_while_turns_wait_and_the_loop_keeps_up():
    gate = TurnGate(target_lag=0.005, limit=1, minimum=1)
    release = asyncio.Event()

    async def turn() -> None:
        async with gate.slot():
            await release.wait()

    tasks = [asyncio.create_task(turn()) for _ in range(2)]
    await _settle()
    assert (gate.running, gate.waiting) == (1, 1)
    gate.observe(0.0)
    assert gate.limit == 2 and (gate.running, gate.waiting) == (2, 0)
    release.set()
    await asyncio.gather(*tasks)


async def test_waiting_turns_are_let_in_while_the_process_leaves_its_core_idle():
    # The loop lags, yet this process uses a tenth of a core and the machine has a core
    # idle: shrinking the limit would leave that core idle while turns wait; it grows.
    gate = TurnGate(target_lag=0.005, limit=2, minimum=1)
    release = asyncio.Event()
    started: list[int] = []

    async def turn(number: int) -> None:
        async with gate.slot():
            started.append(number)
            await release.wait()

    tasks = [asyncio.create_task(turn(n)) for n in range(6)]
    await _settle()
    assert started == [0, 1] and gate.waiting == 4
    gate.observe(0.050, cpu_share=0.1, idle_cores=1.0)
    assert gate.limit == pytest.approx(max(3, 2 * IDLE_INCREASE))
    await _settle()
    assert started == [0, 1, 2] and gate.waiting == 3
    while gate.waiting:
        gate.observe(0.050, cpu_share=0.1, idle_cores=1.0)
        await _settle()
    assert started == list(range(6)), "admitted in arrival order"
    gate.observe(0.050, cpu_share=BUSY_SHARE, idle_cores=1.0)
    assert gate.limit < 6, "with its own core busy, lag shrinks the limit again"
    release.set()
    await asyncio.gather(*tasks)


async def test_a_machine_other_work_saturates_does_not_open_the_gate():
    # Lag and a process short of CPU, but no core idle: other processes have the machine;
    # letting more turns in would only slow new requests down, so lag still shrinks it.
    gate = TurnGate(target_lag=0.005, limit=10, minimum=1)
    release = asyncio.Event()

    async def turn() -> None:
        async with gate.slot():
            await release.wait()

    tasks = [asyncio.create_task(turn()) for _ in range(12)]
    await _settle()
    assert gate.waiting == 2
    gate.observe(0.050, cpu_share=0.1, idle_cores=0.1)
    assert gate.limit == pytest.approx(10 * DECREASE)
    release.set()
    await asyncio.gather(*tasks)


def test_an_idle_machine_with_no_one_waiting_does_not_grow_the_limit():
    gate = TurnGate(target_lag=0.005, limit=10, minimum=1)
    gate.observe(0.0, cpu_share=0.1, idle_cores=2.0)
    assert gate.limit == 10


async def test_the_watch_measures_the_cpu_used_and_left_idle():
    used = iter([0.0, 0.05, 0.05, 0.10, 0.10, 0.15])
    idle = iter([10.0, 10.01, 10.01, 10.02, 10.02, 10.03])
    gate = TurnGate(
        target_lag=0.005,
        interval=0.01,
        cpu_clock=lambda: next(used),
        idle_clock=lambda: next(idle),
    )
    watch = asyncio.create_task(gate.watch())
    for _ in range(200):
        await asyncio.sleep(0.01)
        if gate.cpu_share:
            break
    watch.cancel()
    await asyncio.gather(watch, return_exceptions=True)
    assert 0 < gate.cpu_share <= 0.05 / 0.01 and 0 < gate.idle_cores <= 0.01 / 0.01
    stats = gate.stats()
    assert (stats["cpu_share"], stats["idle_cores"]) == (
        round(gate.cpu_share, 2),
        round(gate.idle_cores, 2),
    )


def test_the_machine_idle_clock_moves_on_linux():
    first = machine_idle_seconds()
    assert first >= 0.0
    assert machine_idle_seconds() >= first


async def test_a_cancelled_waiter_does_not_take_a_slot():
    gate = TurnGate(target_lag=0.005, limit=1, minimum=1)
    release = asyncio.Event()

    async def turn() -> None:
        async with gate.slot():
            await release.wait()

    holder = asyncio.create_task(turn())
    await _settle()
    waiter = asyncio.create_task(turn())
    await _settle()
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    release.set()
    await holder
    assert (gate.running, gate.waiting, gate.has_room()) == (0, 0, True)


async def test_a_zero_target_admits_every_turn():
    gate = TurnGate(target_lag=0.0, limit=1, minimum=1)
    async with gate.slot(), gate.slot():
        assert gate.has_room()
    assert gate.stats()["limit"] == 0


def test_a_queued_message_is_told_to_wait_and_answered_after_the_running_turn(api, services):
    gate = api.client.app.state.runtime.runner.gate
    gate.target_lag, gate.limit, gate.minimum, gate.maximum = 1e-9, 1.0, 1, 1  # stays at 1
    kb = _slow_kb(services)
    alex, sam = api.customer(), api.customer("sam_lee_2002")
    first_conversation = api.new_conversation(alex)
    second_conversation = api.new_conversation(sam)
    results: dict[str, list[dict]] = {}

    def first() -> None:
        results["first"] = api.say(first_conversation, "what is your return policy?", alex)

    thread = threading.Thread(target=first)
    thread.start()
    for _ in range(1000):  # the first turn holds the only slot while its search is stalled
        if gate.running == 1 or "first" in results:
            break
        threading.Event().wait(0.02)
    assert gate.running == 1 and "first" not in results
    with api.client.stream(
        "POST",
        f"/v1/conversations/{second_conversation}/messages",
        json={"text": "how long does a refund take?"},
        headers=sam,
    ) as response:
        lines = response.iter_lines()
        head = parse_sse(lines, limit=2)
        assert [e["type"] for e in head] == ["customer_message", "status"]
        assert head[1]["text"] == BUSY_STATUS
        for _ in range(500):  # the queued turn's task joins the line right after the status
            if gate.waiting == 1:
                break
            threading.Event().wait(0.02)
        assert (gate.running, gate.waiting) == (1, 1)
        kb.set()
        rest = parse_sse(lines)
    thread.join(20)
    assert results["first"][-1]["type"] == "done"
    assert rest[-1]["type"] == "done" and rest[-1]["reply"]
    assert (gate.running, gate.waiting) == (0, 0)
