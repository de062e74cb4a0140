"""Guard: normalise the inbound message, bound its size, flag injection, redact personal data.

The customer's message is replaced (same id) by its redacted text before any other node
reads it, so the checkpointed transcript, the queue, the transcripts and every model prompt
hold placeholders instead of card numbers, SSNs, phone numbers, emails and addresses; the
identity and address the tools need travel in the state beside the messages.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.messages import last_customer_message, message_text, only_attachments
from graphs.screening import screen
from graphs.services import Services
from graphs.state import State
from tools.pii import injection_flags

logger = logging.getLogger("tandem.guard")

ATTACHMENTS_ONLY = "attachments_only"
"""Flag of a message that is only files: the rules hand it to a person, who can open them."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t]+")


def normalise(text: str) -> str:
    """NFKC-normalise, drop control characters and collapse runs of blanks."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def guard(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Clean the customer's latest message and reset the per-turn fields."""
    limit = services.limits.max_message_chars
    reset: dict[str, Any] = {
        "passages": [],
        "tool_results": [],
        "notice": None,
        "flags": [],
        "route": None,
        "identity_check": None,
        "offered_address": None,
    }
    if "handoff" not in state:
        reset["handoff"] = {"status": "none"}
    message = last_customer_message(state.get("messages", []))
    if message is None:
        return {**reset, "route": "empty"}
    raw = message_text(message)
    text = normalise(raw)
    flags: list[str] = []
    if len(text) > limit:
        text = text[:limit]
        flags.append("truncated")
    flags.extend(injection_flags(text))
    if only_attachments(message):
        flags.append(ATTACHMENTS_ONLY)
    if flags or text != raw:
        logger.info("inbound message adjusted flags=%s", flags)
    screened = screen(text, services, runtime.context, state.get("customer"))
    logger.debug("inbound message: %s", screened.text[:500])
    cleaned = HumanMessage(
        content=screened.text,
        id=message.id,
        name=message.name,
        additional_kwargs=message.additional_kwargs,  # attachment refs for the transcript
    )
    channel = state.get("channel") or "unknown"
    return {
        **reset,
        "messages": [cleaned],
        "flags": flags,
        "channel": channel,
        "identity_check": screened.identity_check,
        "offered_address": screened.address,
    }
