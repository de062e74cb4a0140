"""Count chat-model tokens and model-initiated tool calls inside a block of code.

`collect()` installs a LangChain callback handler through a context variable (the same
mechanism as `get_usage_metadata_callback`), so every model call the support graph makes
while the block runs is counted — including calls made in LangGraph's worker threads,
which inherit the context — without changing how the graph is invoked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from evals.records import ToolCall, Usage


class UsageCollector(BaseCallbackHandler):
    """Accumulates token usage and tool invocations reported by LangChain callbacks."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.input_tokens = 0
        self.output_tokens = 0
        self.calls = 0
        self.models: set[str] = set()
        self.tool_calls: list[ToolCall] = []

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Add the usage metadata of a finished model call."""
        for generations in response.generations:
            for generation in generations:
                if not isinstance(generation, ChatGeneration):
                    continue
                message = generation.message
                if not isinstance(message, AIMessage):
                    continue
                usage: dict[str, Any] = dict(message.usage_metadata or {})
                metadata = message.response_metadata or {}
                model = (
                    metadata.get("model_name") or metadata.get("model_id") or metadata.get("model")
                )
                with self._lock:
                    self.calls += 1
                    self.input_tokens += int(usage.get("input_tokens", 0) or 0)
                    self.output_tokens += int(usage.get("output_tokens", 0) or 0)
                    if model:
                        self.models.add(str(model))

    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Record a tool the drafting model chose to call."""
        name = str((serialized or {}).get("name") or kwargs.get("name") or "tool")
        with self._lock:
            self.tool_calls.append(
                ToolCall(name=name, args=dict(inputs or {}), ok=True, source="model")
            )

    def usage(self) -> Usage:
        """The usage counted so far."""
        with self._lock:
            return Usage(
                input_tokens=self.input_tokens,
                output_tokens=self.output_tokens,
                calls=self.calls,
                models=sorted(self.models),
            )


_ACTIVE: ContextVar[UsageCollector | None] = ContextVar("tandem_eval_usage", default=None)
register_configure_hook(_ACTIVE, inheritable=True)


@contextmanager
def collect(collector: UsageCollector | None = None) -> Iterator[UsageCollector]:
    """Count model usage inside the block with `collector` (a new one by default)."""
    active = collector or UsageCollector()
    token = _ACTIVE.set(active)
    try:
        yield active
    finally:
        _ACTIVE.reset(token)
