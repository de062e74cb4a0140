"""Scripted chat models: fakes for the LLM's words only."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class ScriptedChatModel(BaseChatModel):
    """Replies with scripted messages (text or tool calls), streaming text word by word,
    and records every prompt it was sent."""

    replies: list[AIMessage]
    seen: list[list[BaseMessage]] = []  # noqa: RUF012 (a pydantic field, copied per instance)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self.seen.append(list(messages))
        if not self.replies:
            raise RuntimeError("the scripted model has no replies left")
        return self.replies.pop(0)

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._next(messages)
        if reply.tool_calls:
            chunk = AIMessageChunk(
                content=reply.content,
                tool_call_chunks=[
                    {
                        "name": c["name"],
                        "args": str(c["args"]).replace("'", '"'),
                        "id": c["id"],
                        "index": i,
                    }
                    for i, c in enumerate(reply.tool_calls)
                ],
            )
            yield ChatGenerationChunk(message=chunk)
            return
        for piece in re.findall(r"\S+\s*|\s+", str(reply.content)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        if reply.usage_metadata:  # providers report usage in a last, empty chunk
            yield ChatGenerationChunk(
                message=AIMessageChunk(content="", usage_metadata=reply.usage_metadata)
            )


def scripted(*replies: AIMessage | str) -> ScriptedChatModel:
    """A scripted model answering `replies` in order."""
    messages = [r if isinstance(r, AIMessage) else AIMessage(content=r) for r in replies]
    return ScriptedChatModel(replies=messages, seen=[])


class FailingChatModel(ScriptedChatModel):
    """A model whose every call fails, as Bedrock does when throttled or down."""

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        raise RuntimeError("ThrottlingException: Rate exceeded")


def failing() -> FailingChatModel:
    """A model that always fails."""
    return FailingChatModel(replies=[], seen=[])


class ReactiveChatModel(BaseChatModel):
    """Answers from its prompt alone (no script position), so one instance serves every
    trial of a simulated run; `respond` returns a reply text or an AIMessage."""

    respond: Any

    @property
    def _llm_type(self) -> str:
        return "reactive"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ReactiveChatModel:  # type: ignore[override]
        """Its tools are known already: binding changes nothing."""
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        answer = self.respond(messages)
        message = answer if isinstance(answer, AIMessage) else AIMessage(content=str(answer))
        return ChatResult(generations=[ChatGeneration(message=message)])
