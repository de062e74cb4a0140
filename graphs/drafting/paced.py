"""A load-testing chat model: streams a fixed reply at a set rate, like a real LLM would.

Selected with `TANDEM_MODEL=paced:40` (40 tokens per second). It exists so servers can be
load-tested offline with realistic streaming timing; it never answers a real customer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

REPLY = (
    "Thanks for your message. I have checked the details you gave me and everything is in "
    "order on our side. Your request is noted, and you will receive an email confirmation "
    "shortly. Is there anything else I can help you with today?"
)


class PacedChatModel(BaseChatModel):
    """Streams `REPLY` word by word at `tokens_per_second`."""

    tokens_per_second: float = 40.0

    @property
    def _llm_type(self) -> str:
        return "paced"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> PacedChatModel:  # type: ignore[override]
        """Tools are accepted and never called."""
        return self

    def _pieces(self) -> list[str]:
        words = REPLY.split(" ")
        return [word + (" " if i < len(words) - 1 else "") for i, word in enumerate(words)]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        time.sleep(len(self._pieces()) / self.tokens_per_second)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=REPLY))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for piece in self._pieces():
            time.sleep(1 / self.tokens_per_second)
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for piece in self._pieces():
            await asyncio.sleep(1 / self.tokens_per_second)
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
