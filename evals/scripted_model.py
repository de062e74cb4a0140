"""A chat model that plays a fixed script: tool calls and replies, one per model call.

The τ-bench harness puts scripted models in the planner's seat (the oracle and the
adversaries). Each step is either a reply text, a tool call `(name, args)`, or a function of
the prompt that returns one of those; when the script runs out the model asks whether
there is anything else.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

ToolCall = tuple[str, dict[str, Any]]
"""A tool call as `(tool name, arguments)`."""
DONE = "Is there anything else I can help with?"

_ids = itertools.count()


def as_message(step: str | ToolCall | list[ToolCall]) -> AIMessage:
    """The model response for one script step."""
    if isinstance(step, str):
        return AIMessage(content=step)
    calls = [step] if isinstance(step, tuple) else list(step)
    return AIMessage(
        content="",
        tool_calls=[
            {"name": name, "args": dict(args), "id": f"s{next(_ids)}"} for name, args in calls
        ],
    )


class ScriptChatModel(BaseChatModel):
    """Answers each call with the next step of its script.

    A step is a reply, one tool call, a list of tool calls made in one response, or a
    function of the prompt returning one of those.
    """

    steps: list[Any]
    position: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptChatModel:  # type: ignore[override]
        """The script knows its tools already: binding changes nothing."""
        return self

    @property
    def remaining(self) -> int:
        """Steps not played yet."""
        return len(self.steps) - self.position

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        if self.position >= len(self.steps):
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=DONE))])
        step = self.steps[self.position]
        self.position += 1
        if callable(step):
            step = step(messages)
        return ChatResult(generations=[ChatGeneration(message=as_message(step))])
