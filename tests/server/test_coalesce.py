"""Token coalescing: the same reply text in fewer `token` events, other events in order."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from conversations.coalesce import coalesce_tokens


async def _paced(
    events: list[dict[str, Any]], gaps: list[float] | float = 0.0
) -> AsyncIterator[dict[str, Any]]:
    for index, event in enumerate(events):
        gap = gaps if isinstance(gaps, float) else gaps[index]
        await asyncio.sleep(gap)
        yield event


def _tokens(*texts: str) -> list[dict[str, Any]]:
    return [{"type": "token", "text": text} for text in texts]


async def _collect(events: AsyncIterator[dict[str, Any]], window: float) -> list[dict[str, Any]]:
    return [event async for event in coalesce_tokens(events, window)]


async def test_tokens_arriving_together_become_one_event_before_the_next_kind():
    source = [
        {"type": "status", "text": "looking"},
        *_tokens("Our ", "return ", "policy"),
        {"type": "tool", "phase": "start", "name": "x"},
        *_tokens(" is ", "30 days."),
        {"type": "done", "reply": "Our return policy is 30 days."},
    ]
    out = await _collect(_paced(source), window=0.5)
    assert out == [
        {"type": "status", "text": "looking"},
        {"type": "token", "text": "Our "},  # a reply's first token is never held
        {"type": "token", "text": "return policy"},
        {"type": "tool", "phase": "start", "name": "x"},
        {"type": "token", "text": " is "},
        {"type": "token", "text": "30 days."},
        {"type": "done", "reply": "Our return policy is 30 days."},
    ]


async def test_a_pause_longer_than_the_window_sends_what_waits():
    texts = ["a", "b", "c", "d", "e"]
    # a at once, b and c together; then pauses far past the window: d and e come separately.
    out = await _collect(_paced(_tokens(*texts), [0.0, 0.0, 0.0, 0.3, 0.3]), window=0.02)
    assert [e["text"] for e in out] == ["a", "bc", "d", "e"]


async def test_the_first_token_is_not_held_for_the_window():
    sent_first = asyncio.Event()

    async def source() -> AsyncIterator[dict[str, Any]]:
        yield {"type": "token", "text": "Hi"}
        await sent_first.wait()  # the model's next token waits until the first one is out
        yield {"type": "token", "text": " there"}

    stream = coalesce_tokens(source(), window=60.0)
    first = await asyncio.wait_for(anext(stream), timeout=10)
    assert first == {"type": "token", "text": "Hi"}
    sent_first.set()
    await stream.aclose()


async def test_a_zero_window_changes_nothing():
    source = _tokens("a", "b", "c")
    assert await _collect(_paced(source), window=0) == source


async def test_an_error_from_the_turn_comes_after_the_text_before_it():
    async def failing() -> AsyncIterator[dict[str, Any]]:
        yield {"type": "token", "text": "partial"}
        raise RuntimeError("model down")

    seen: list[dict[str, Any]] = []
    with pytest.raises(RuntimeError, match="model down"):
        async for event in coalesce_tokens(failing(), 1.0):
            seen.append(event)
    assert seen == [{"type": "token", "text": "partial"}]


async def test_closing_early_stops_the_turn_behind_it():
    stopped = asyncio.Event()

    async def endless() -> AsyncIterator[dict[str, Any]]:
        try:
            while True:
                yield {"type": "token", "text": "x"}
                await asyncio.sleep(0.001)
        finally:
            stopped.set()

    stream = coalesce_tokens(endless(), 0.01)
    assert (await anext(stream))["text"].startswith("x")
    await stream.aclose()
    await asyncio.wait_for(stopped.wait(), 5)


def test_a_streamed_reply_has_the_same_text_in_fewer_events(api, services):
    runner = api.client.app.state.runtime.runner
    alex = api.customer()
    conversation = api.new_conversation(alex)

    def reply_events(window_ms: float) -> list[dict[str, Any]]:
        runner.policy = dataclasses.replace(
            runner.policy, token_window_ms=window_ms, busy_token_window_ms=window_ms
        )
        return api.say(conversation, "what is your return policy?", alex)

    each = reply_events(0)
    joined = reply_events(10_000)
    for events in (each, joined):
        ids = [e["id"] for e in events]
        assert ids == sorted(set(ids)), "numbered in order, none twice"
    each_tokens = [e["text"] for e in each if e["type"] == "token"]
    joined_tokens = [e["text"] for e in joined if e["type"] == "token"]
    assert "".join(each_tokens) == each[-1]["reply"]
    assert "".join(joined_tokens) == joined[-1]["reply"] == each[-1]["reply"]
    assert len(each_tokens) > 2 and len(joined_tokens) == 2  # the first at once, the rest joined
    assert joined_tokens[0] == each_tokens[0]


async def test_a_window_function_is_asked_again_for_each_run_of_tokens():
    widths = iter([0.5, 0.0, 0.5])
    asked: list[float] = []

    def window() -> float:
        asked.append(next(widths))
        return asked[-1]

    # "a" starts the reply; "b" "c" wait 0.5 s together; after a pause the window is 0,
    # so "d" goes alone; then 0.5 s again holds "e" with "f".
    gaps = [0.0, 0.0, 0.0, 0.6, 0.0, 0.0]
    out = [event async for event in coalesce_tokens(_paced(_tokens(*"abcdef"), gaps), window)]
    assert [e["text"] for e in out] == ["a", "bc", "d", "ef"]
    assert asked == [0.5, 0.0, 0.5]


async def test_the_runner_holds_tokens_longer_while_the_gate_is_saturated():
    from conversations.admission import TurnGate
    from conversations.runner import RunnerPolicy, TurnRunner

    gate = TurnGate(target_lag=0.005)
    policy = RunnerPolicy(token_window_ms=25, busy_token_window_ms=100)
    runner = TurnRunner(None, None, None, None, policy, gate=gate)  # type: ignore[arg-type]
    assert not gate.saturated and runner._token_window() == pytest.approx(0.025)
    gate.lag = 0.02  # the loop runs 20 ms late
    assert gate.saturated and runner._token_window() == pytest.approx(0.1)
    gate.lag = 0.0
    waiting: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    gate._waiting.append(waiting)  # a turn waits for admission
    assert gate.saturated and runner._token_window() == pytest.approx(0.1)
    waiting.cancel()
    assert not gate.saturated
    assert not TurnGate(target_lag=0).saturated  # no gate, never saturated
    gate.lag = 0.02
    runner.policy = RunnerPolicy(token_window_ms=250, busy_token_window_ms=100)
    assert runner._token_window() == pytest.approx(0.25)  # saturation never shortens it
