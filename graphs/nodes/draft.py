"""Draft: write the bot's reply for this turn and stream it.

The node has a sync and an async implementation behind one name: synchronous runs
(`graph.stream`, the terminal chat) call the model in the node's thread, while the
server's async runs stream the model's tokens on the event loop, so hundreds of
concurrent replies do not each hold a thread that competes for the interpreter.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.drafting.grounded import grounded_reply
from graphs.drafting.llm import allm_reply, llm_reply
from graphs.events import emit_status, emit_token
from graphs.services import Services
from graphs.state import State

logger = logging.getLogger("tandem.draft")

_PIECES = re.compile(r"\S+\s*|\s+")


def stream_text(text: str) -> None:
    """Stream a reply composed without a model word by word, as a model would."""
    for piece in _PIECES.findall(text):
        emit_token(piece)


def _model_for(state: State, runtime: Runtime[Context], services: Services) -> Any:
    """The chat model to draft with this turn, or None for the grounded reply."""
    if state.get("route") in ("empty",) or state.get("planner") in ("fallback", "fast"):
        return None
    return services.chat_model_for(runtime.context)


def _model_failed(error: Exception) -> None:
    """Any provider failure degrades to the grounded reply."""
    logger.warning("model drafting failed, using grounded reply: %s", error)
    emit_status("Using a standard reply while the assistant model is unavailable")


def _finish(state: State, reference: str, drafted: str | None) -> dict[str, Any]:
    """The state update for the reply (streaming it first when no model wrote it)."""
    text, author = (drafted, "model") if drafted else (reference, "grounded")
    if author == "grounded":
        stream_text(text)
    update: dict[str, Any] = {
        "messages": [AIMessage(content=text, additional_kwargs={"author": f"bot:{author}"})]
    }
    if state.get("route") == "decline_action":
        update["pending_action"] = None
    if state.get("route") == "handoff":
        handoff = dict(state.get("handoff") or {})
        handoff["status"] = "waiting"
        update["handoff"] = handoff
    return update


def draft_sync(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Draft with the configured model, or the grounded drafter; fall back on model errors."""
    reference = grounded_reply(state)
    model, drafted = _model_for(state, runtime, services), None
    if model is not None:
        try:
            drafted = llm_reply(model, state, services, services.tenant(runtime.context), reference)
        except Exception as error:
            _model_failed(error)
    return _finish(state, reference, drafted)


async def draft_async(
    state: State, runtime: Runtime[Context], services: Services
) -> dict[str, Any]:
    """Async twin of `draft_sync`: the model's tokens stream on the event loop."""
    reference = grounded_reply(state)
    model, drafted = _model_for(state, runtime, services), None
    if model is not None:
        try:
            drafted = await allm_reply(
                model, state, services, services.tenant(runtime.context), reference
            )
        except Exception as error:
            _model_failed(error)
    return _finish(state, reference, drafted)
