"""Draft: write the bot's reply for this turn and stream it."""

from __future__ import annotations

import logging
import re
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.drafting.grounded import grounded_reply
from graphs.drafting.llm import llm_reply, resolve_chat_model
from graphs.events import emit_status, emit_token
from graphs.services import get_services
from graphs.state import State

logger = logging.getLogger("tandem.draft")

_PIECES = re.compile(r"\S+\s*|\s+")


def stream_text(text: str) -> None:
    """Stream a reply composed without a model word by word, as a model would."""
    for piece in _PIECES.findall(text):
        emit_token(piece)


def draft(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Draft with the configured model, or the grounded drafter; fall back on model errors."""
    services = get_services()
    reference = grounded_reply(state)
    text, author = reference, "grounded"
    model = resolve_chat_model(services, runtime.context)
    if model is not None and state.get("route") not in ("empty",):
        try:
            drafted = llm_reply(model, state, services, runtime.context.tenant, reference)
            if drafted:
                text, author = drafted, "model"
        except Exception as error:  # any provider failure degrades to the grounded reply
            logger.warning("model drafting failed, using grounded reply: %s", error)
            emit_status("Using a standard reply while the assistant model is unavailable")
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
