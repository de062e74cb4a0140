"""A model-written handover: summary and suggested reply, grounded in the transcript.

Asked on demand by an agent when a chat model is configured. The model sees the redacted
transcript and the offline note's facts, never the agents' internal notes. Its answer is
kept only if it is the JSON asked for and every order id it cites occurs in the transcript;
otherwise the caller keeps the note built from the facts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from graphs.messages import message_text

ORDER_ID = re.compile(r"#W\d{7}")
INSTRUCTIONS = (
    "You brief a human support agent who takes over a conversation from an AI assistant. "
    "Answer with one JSON object and nothing else: "
    '{"summary": "2-4 plain sentences: who the customer is, what they want, what was '
    'already done, how they feel", "reply": "the agent\'s first message to the customer, '
    'warm and specific, at most 3 sentences"}. Use only facts from the transcript and the '
    "facts given; never invent orders, amounts or promises."
)


def _lines(messages: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{role}: {text}" for role, text in messages)


def _json_object(text: str) -> dict[str, Any] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(text[start : end + 1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def model_handover(
    model: BaseChatModel, messages: Sequence[tuple[str, str]], facts: str
) -> dict[str, str] | None:
    """`{"summary", "reply"}` from the model, or None when its answer is unusable."""
    transcript = _lines(messages)
    answer = model.invoke(
        [
            SystemMessage(content=INSTRUCTIONS),
            HumanMessage(content=f"Facts: {facts}\n\nTranscript:\n{transcript}"),
        ]
    )
    parsed = _json_object(message_text(answer))
    if not parsed:
        return None
    summary, reply = parsed.get("summary"), parsed.get("reply")
    if not isinstance(summary, str) or not isinstance(reply, str) or not reply.strip():
        return None
    known = set(ORDER_ID.findall(transcript + facts))
    if not set(ORDER_ID.findall(summary + reply)) <= known:
        return None  # cites an order the conversation never mentioned
    return {"summary": summary.strip(), "reply": reply.strip()}
