"""The `agent` node: the chat model plans the turn, the policy gate enforces the rules.

The model plans with the retail tools and its words stream as it writes them.

Like the draft node it has a sync and an async implementation behind one name. Any model
error (or no model) hands the turn to the rule path chosen by `understand`, with the
conversation intact.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from langgraph.runtime import Runtime

from graphs.agent.turn import AgentTurn
from graphs.context import Context
from graphs.events import emit_status
from graphs.memory_notes import newly_identified, note_identified
from graphs.nodes.draft import stream_text
from graphs.services import Services
from graphs.state import State

logger = logging.getLogger("tandem.agent")


def _fallback(state: State, error: Exception | None) -> dict[str, Any]:
    """Serve this turn by the rules: the route `understand` chose for them."""
    if error is not None:
        logger.warning("model planning failed, using the rule path: %s", error)
        emit_status("Using a standard reply while the assistant model is unavailable")
    planner = "fallback" if error is not None else "rules"
    if state.get("route") == "confirm":
        return {"route": "confirm", "planner": planner}
    return {"route": state.get("rule_route") or "clarify", "planner": planner}


def _finish(turn: AgentTurn, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    update, suffix = turn.update()
    customer = update.get("customer")
    if customer is not None and newly_identified(turn.state, customer):
        update["history"] = note_identified(runtime, services, customer)
    stream_text(suffix)
    return update


def agent_sync(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Plan the turn with the model's sync API."""
    model = services.chat_model_for(runtime.context)
    if model is None:
        return _fallback(state, None)
    deadline = time.monotonic() + services.limits.model_turn_seconds
    try:
        turn = AgentTurn(model, state, runtime.context, services)
        for _ in range(turn.steps):
            if time.monotonic() > deadline:
                raise TimeoutError("the model-planned turn ran out of time")
            response = turn.runnable.invoke(turn.messages)
            turn.count(response)
            calls = turn.calls(response)
            if not calls:
                break
            done = [(call, *turn.run_call(call)) for call in calls]
            if not turn.record(response, done):
                break
    except Exception as error:
        return _fallback(state, error)
    return _finish(turn, runtime, services)


async def agent_async(
    state: State, runtime: Runtime[Context], services: Services
) -> dict[str, Any]:
    """Async twin of `agent_sync`: the model streams on the event loop."""
    model = services.chat_model_for(runtime.context)
    if model is None:
        return _fallback(state, None)
    try:
        turn = AgentTurn(model, state, runtime.context, services)
        await asyncio.wait_for(_plan(turn), services.limits.model_turn_seconds)
    except Exception as error:
        return _fallback(state, error)
    return _finish(turn, runtime, services)


async def _plan(turn: AgentTurn) -> None:
    """The async tool loop (bounded in steps here, in time by the caller)."""
    for _ in range(turn.steps):
        response = await turn.runnable.ainvoke(turn.messages)
        turn.count(response)
        calls = turn.calls(response)
        if not calls:
            return
        done = [(call, *(await asyncio.to_thread(turn.run_call, call))) for call in calls]
        if not turn.record(response, done):
            return
