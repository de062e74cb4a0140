"""One model-planned turn: the prompt, the gated tool calls and the state update.

`graphs.agent.node` drives it with the model's sync or async API.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from graphs.agent.policy import Outcome, PolicyGate
from graphs.agent.tools import tool_definitions
from graphs.context import Context
from graphs.drafting.pricing import cost_usd
from graphs.events import emit_tool, order_card
from graphs.messages import last_customer_message, message_text
from graphs.services import Services
from graphs.state import Customer, PendingAction, State, ToolResult, TurnUsage
from prompts.templates import load_template
from tools.language import reply_instruction

STORE_NAME = "the Tandem demo store"
KEPT_MESSAGES = 60
"""The planner's working transcript (tool calls and results) kept across turns."""
OUT_OF_STEPS = (
    "I'm sorry, this needs more steps than I can take in one reply. Could you tell me what "
    "you'd like me to do next, or ask for a person?"
)
TRANSFERRED = "I'm transferring you to a human agent now; they will see our conversation."


def _trimmed(messages: list[BaseMessage]) -> list[BaseMessage]:
    """The newest messages, starting at a customer message (tool results keep their call)."""
    kept = messages[-KEPT_MESSAGES:]
    start = next((i for i, m in enumerate(kept) if isinstance(m, HumanMessage)), len(kept))
    return kept[start:]


def _opening(state: State) -> str:
    """The customer's message plus what the system did since the model last spoke."""
    message = last_customer_message(state.get("messages", []))
    text = message_text(message) if message else ""
    notes: list[str] = []
    pending = state.get("pending_action")
    if state.get("route") == "confirm":
        for result in state.get("tool_results") or []:
            outcome = json.dumps(result["output"], default=str)[:4000]
            done = "done" if result["ok"] else "refused"
            notes.append(f"The customer confirmed; {result['tool']} was {done}: {outcome}")
    elif state.get("rule_route") == "decline_action":
        notes.append("The customer declined the pending action; it was dropped.")
    elif pending:
        notes.append(f"Still awaiting the customer's yes for: {pending['summary']}")
    if not notes:
        return text
    return text + "\n\n[system: " + " ".join(notes) + "]"


def _caches(model: BaseChatModel, services: Services) -> bool:
    """Whether to ask for prompt caching: Bedrock's Converse models take `cache_control`."""
    return services.limits.prompt_cache and type(model).__name__ == "ChatBedrockConverse"


class AgentTurn:
    """The state of one planned turn: transcript, gate, and what the calls changed."""

    def __init__(
        self, model: BaseChatModel, state: State, context: Context, services: Services
    ) -> None:
        self.state = state
        self.steps = max(1, services.limits.max_tool_steps)
        customer = state.get("customer")
        said = "\n".join(
            message_text(m) for m in state.get("messages", []) if isinstance(m, HumanMessage)
        )
        tenant = services.tenant(context)
        self.gate = PolicyGate(
            services, context.customer_id, customer, tenant, said, state.get("offered_address")
        )
        if self.gate.user_id:
            identity = f"The customer is already identified as user id {self.gate.user_id}."
        else:
            identity = "The customer is not identified yet."
        system = load_template("agent_system").format(
            store_name=STORE_NAME, identity=identity, max_steps=self.steps
        ) + reply_instruction(state.get("language") or "")
        previous: list[BaseMessage] = list(state.get("agent_messages") or [])
        self.turn: list[BaseMessage] = [HumanMessage(content=_opening(state))]
        self.system = SystemMessage(content=system)
        self.previous = previous
        binder: Any = model
        if _caches(model, services):
            self.runnable: Any = binder.bind_tools(
                tool_definitions(), cache_control={"type": "default"}
            )
        else:
            self.runnable = binder.bind_tools(tool_definitions())
        self.model_name = services.model_name(context) or getattr(model, "model_id", "") or ""
        self.usage: TurnUsage | None = None
        self.reply: str | None = None
        self.pending: PendingAction | None = None
        self.identified: Customer | None = None
        self.transfer = False
        self.results: list[ToolResult] = []

    @property
    def messages(self) -> list[BaseMessage]:
        """The prompt for the next model call."""
        return [self.system, *self.previous, *self.turn]

    def count(self, response: BaseMessage) -> None:
        """Add a model response's token usage to the turn's."""
        usage = self.usage or TurnUsage(
            model=self.model_name, calls=0, input_tokens=0, output_tokens=0,
            cache_read_tokens=0, cache_write_tokens=0, cost_usd=0.0,
        )  # fmt: skip
        metadata: dict[str, Any] = dict(getattr(response, "usage_metadata", None) or {})
        details = metadata.get("input_token_details") or {}
        usage["calls"] += 1
        usage["input_tokens"] += int(metadata.get("input_tokens") or 0)
        usage["output_tokens"] += int(metadata.get("output_tokens") or 0)
        usage["cache_read_tokens"] += int(details.get("cache_read") or 0)
        usage["cache_write_tokens"] += int(details.get("cache_creation") or 0)
        usage["cost_usd"] = cost_usd(
            self.model_name, usage["input_tokens"], usage["output_tokens"],
            usage["cache_read_tokens"], usage["cache_write_tokens"],
        )  # fmt: skip
        self.usage = usage

    def calls(self, response: BaseMessage) -> list[dict[str, Any]]:
        """The tool calls `response` asks for; none makes its text the reply."""
        calls = list(getattr(response, "tool_calls", None) or [])
        if not calls:
            self.reply = message_text(response).strip()  # type: ignore[arg-type]
            self.turn.append(AIMessage(content=self.reply))
        return calls

    def run_call(self, call: dict[str, Any]) -> tuple[str, Outcome]:
        """Gate one call, streaming its start and end (a refusal reveals nothing)."""
        name = str(call.get("name", ""))[:80]
        emit_tool(name, "start", name.replace("_", " "))
        outcome = self.gate.handle(name, dict(call.get("args") or {}))
        summary = name.replace("_", " ") if outcome.ok else outcome.observation[:200]
        card = order_card(outcome.observation) if outcome.ok else None
        emit_tool(name, "end", summary, ok=outcome.ok, order=card)
        return str(call.get("id", "")), outcome

    def record(
        self, response: BaseMessage, done: list[tuple[dict[str, Any], str, Outcome]]
    ) -> bool:
        """Add a tool-calling response and its results; False when the turn must end."""
        self.turn.append(response)
        for call, call_id, outcome in done:
            self.turn.append(ToolMessage(content=outcome.observation, tool_call_id=call_id))
            self.results.append(
                {
                    "tool": str(call.get("name", "")),
                    "args": dict(call.get("args") or {}),
                    "ok": outcome.ok,
                    "output": outcome.observation[:4000],
                }
            )
            if outcome.pending is not None:
                self.pending = outcome.pending
            if outcome.identified is not None:
                self.identified = outcome.identified
            self.transfer = self.transfer or outcome.transfer
        if self.transfer:
            self.reply = TRANSFERRED
            self.turn.append(AIMessage(content=self.reply))
            return False
        return True

    def update(self) -> tuple[dict[str, Any], str]:
        """The state update for this turn and any text the code adds to the model's reply."""
        suffix = ""
        if self.reply is None:
            self.reply = OUT_OF_STEPS
            self.turn.append(AIMessage(content=self.reply))
            suffix = OUT_OF_STEPS
        if self.pending is not None:
            confirm = (
                f"\n\nTo confirm, this is exactly what I will do: {self.pending['summary']}. "
                'Reply "yes" to go ahead, or "no" to leave it.'
            )
            suffix += confirm
            self.reply += confirm
        update: dict[str, Any] = {
            "messages": [AIMessage(content=self.reply, additional_kwargs={"author": "bot:model"})],
            "agent_messages": _trimmed([*self.previous, *self.turn]),
            "tool_results": [*(self.state.get("tool_results") or []), *self.results],
            "route": "agent",
            "usage": self.usage,
        }
        if self.pending is not None:
            update["pending_action"] = self.pending
            order_id = self.pending["args"].get("order_id")
            if order_id:
                update["active_order_id"] = order_id
        elif self.state.get("rule_route") == "decline_action":
            update["pending_action"] = None
        if self.identified is not None:
            update["customer"] = self.identified
        if self.transfer:
            update["route"] = "handoff"
            update["handoff"] = {"status": "waiting", "reason": "model_transfer"}
        return update, suffix
