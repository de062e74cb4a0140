"""A checkpoint serializer that stores customers' messages only in redacted form.

The graph's guard node replaces a customer's message by its redacted text before any
other node reads it, but LangGraph checkpoints the run's input (and the step that copies
it into the transcript) before the guard runs. `RedactingSerializer` wraps the
checkpointer's serializer so that every customer message (`HumanMessage`) it writes — in a
checkpoint's channel values or in a step's pending writes — passes through the redactor
first; messages the guard already redacted come out unchanged. Reading is untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.serde.base import SerializerProtocol

CACHE_SIZE = 4096
"""Redacted texts remembered: a transcript is written again with every checkpoint."""


class RedactingSerializer(SerializerProtocol):
    """Wraps `serde`, redacting the text of every `HumanMessage` before it is written."""

    def __init__(self, serde: SerializerProtocol, redact: Callable[[str], str]) -> None:
        self.serde = serde
        self._redact = lru_cache(maxsize=CACHE_SIZE)(redact)

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, HumanMessage):
            if isinstance(value.content, str):
                text = self._redact(value.content)
                if text != value.content:
                    return value.model_copy(update={"content": text})
            return value
        if isinstance(value, dict):
            return {key: self._scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._scrub(item) for item in value]
        if isinstance(value, tuple) and not hasattr(value, "_fields"):
            return tuple(self._scrub(item) for item in value)
        return value

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        """Serialize `obj` with its customer messages redacted."""
        return self.serde.dumps_typed(self._scrub(obj))

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        """Deserialize as the wrapped serializer does."""
        return self.serde.loads_typed(data)
