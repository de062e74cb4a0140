"""Drafting with a chat model (Claude on Bedrock by default) and a bounded tool loop.

The model sees only this turn's facts plus what its read-only tools return, and the
grounded drafter's reply as the reference for what must be said. Any model error falls
back to the grounded reply, so throttling or an outage degrades the wording, not the
service.
"""

from __future__ import annotations

import asyncio
import json
from functools import lru_cache
from typing import Any

from botocore.config import Config
from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from graphs.drafting.facts import turn_facts
from graphs.messages import message_text
from graphs.services import Services
from graphs.state import State
from prompts.templates import load_template
from tools.language import reply_instruction
from tools.orders.store import OrderToolError

HISTORY_MESSAGES = 12
MODEL_READ_TIMEOUT_SECONDS = 60
STORE_NAME = "the Tandem demo store"


@lru_cache(maxsize=8)
def load_chat_model(
    model: str, region: str = "us-east-1", endpoint_url: str | None = None, max_attempts: int = 3
) -> BaseChatModel:
    """Create a chat model from an init_chat_model string ("bedrock_converse:<model id>").

    Bedrock clients retry throttling and transient errors with botocore's standard mode
    (exponential backoff with jitter) up to `max_attempts` calls in all.
    """
    if model.startswith("paced:"):
        from graphs.drafting.paced import PacedChatModel

        return PacedChatModel(tokens_per_second=float(model.split(":", 1)[1] or 40))
    kwargs: dict[str, Any] = {}
    if model.startswith(("bedrock_converse:", "bedrock:")):
        kwargs["region_name"] = region
        kwargs["config"] = Config(
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            read_timeout=MODEL_READ_TIMEOUT_SECONDS,
        )
        if endpoint_url:
            kwargs["endpoint_url"] = endpoint_url
    return init_chat_model(model, **kwargs)


class _LookupOrder(BaseModel):
    order_id: str = Field(description="The order id, e.g. #W1234567.")


class _SearchHelpCentre(BaseModel):
    query: str = Field(description="What to look for in the help centre.")


def read_only_tools(services: Services, state: State, tenant: str) -> list[BaseTool]:
    """Look-up tools the model may call; the customer's id is injected, never chosen.

    The argument schemas are declared once; only the functions (which close over this
    turn's customer and tenant) are made per turn.
    """
    customer = state.get("customer")

    def lookup_order(order_id: str) -> str:
        if not customer:
            return "The customer is not identified yet; ask for their email or name and zip."
        try:
            order = services.orders.get_order_details(order_id)
        except OrderToolError as error:
            return f"Error: {error}"
        if order.get("user_id") != customer["user_id"]:
            return "Error: Order not found"
        return json.dumps(order)

    def search_help_centre(query: str) -> str:
        hits = services.kb.search(query, k=3, tenant=tenant)
        return json.dumps(
            [{"title": h.title, "source": h.source, "text": h.text[:1200]} for h in hits]
        )

    return [
        StructuredTool(
            name="lookup_order",
            description="Look up one of the identified customer's orders by id (e.g. #W1234567).",
            args_schema=_LookupOrder,
            func=lookup_order,
        ),
        StructuredTool(
            name="search_help_centre",
            description="Search the store's help centre; returns the best passages with titles.",
            args_schema=_SearchHelpCentre,
            func=search_help_centre,
        ),
    ]


def _history(state: State) -> list[BaseMessage]:
    history: list[BaseMessage] = []
    for message in state.get("messages", [])[-HISTORY_MESSAGES:]:
        if isinstance(message, HumanMessage):
            history.append(HumanMessage(content=message_text(message)))
        elif isinstance(message, AIMessage) and message_text(message):
            history.append(AIMessage(content=message_text(message)))
    return history


class _ToolLoop:
    """One drafting run: the prompt, the model bound to its tools, and tool-call handling.

    `llm_reply` and `allm_reply` drive it with the model's sync or async API; everything
    else (prompt, tool execution, the bound on steps) is shared.
    """

    def __init__(
        self, model: BaseChatModel, state: State, services: Services, tenant: str, reference: str
    ) -> None:
        self.model = model
        self.steps = services.limits.max_tool_steps
        situation = (
            f"route={state.get('route')}, notice={state.get('notice')}. "
            f"A correct reply built from the facts would be:\n{reference}"
        )
        system = load_template("draft_system").format(
            store_name=STORE_NAME,
            max_steps=self.steps,
            situation=situation,
            facts=json.dumps(turn_facts(state), default=str)[:20000],
        ) + reply_instruction(state.get("language") or "")
        self.messages: list[BaseMessage] = [SystemMessage(content=system), *_history(state)]
        self.tools = {tool.name: tool for tool in read_only_tools(services, state, tenant)}
        try:
            self.runnable: Any = model.bind_tools(list(self.tools.values()))
        except NotImplementedError:
            self.runnable = model

    def calls(self, response: BaseMessage) -> list[Any]:
        """The tool calls a response asks for (none: it is the reply)."""
        return list(getattr(response, "tool_calls", None) or [])

    def record(self, response: BaseMessage, results: list[tuple[str, str]]) -> None:
        """Append a tool-calling response and each call's `(id, output)` to the prompt."""
        self.messages.append(response)
        self.messages.extend(
            ToolMessage(content=output, tool_call_id=call_id) for call_id, output in results
        )

    def run_tool(self, call: dict[str, Any]) -> str:
        """Execute one call (tools are quick local look-ups)."""
        tool = self.tools.get(call["name"])
        return str(tool.invoke(call["args"])) if tool else f"Error: unknown tool {call['name']}"


def llm_reply(
    model: BaseChatModel, state: State, services: Services, tenant: str, reference: str
) -> str:
    """Draft the reply with `model`, letting it call read-only tools a bounded number of times."""
    loop = _ToolLoop(model, state, services, tenant, reference)
    for _ in range(loop.steps):
        response = loop.runnable.invoke(loop.messages)
        calls = loop.calls(response)
        if not calls:
            return message_text(response).strip()
        loop.record(response, [(call["id"], loop.run_tool(call)) for call in calls])
    return message_text(model.invoke(loop.messages)).strip()


async def allm_reply(
    model: BaseChatModel, state: State, services: Services, tenant: str, reference: str
) -> str:
    """Async twin of `llm_reply`: the model streams on the event loop, not in a thread."""
    loop = _ToolLoop(model, state, services, tenant, reference)
    for _ in range(loop.steps):
        response = await loop.runnable.ainvoke(loop.messages)
        calls = loop.calls(response)
        if not calls:
            return message_text(response).strip()
        results = [(call["id"], await asyncio.to_thread(loop.run_tool, call)) for call in calls]
        loop.record(response, results)
    return message_text(await model.ainvoke(loop.messages)).strip()
