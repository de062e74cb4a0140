"""Handoff: pause the conversation for a human agent with `interrupt()`.

Everything before `interrupt()` is a pure function of the state (the long-term memory's
note of the handoff is written only when it differs from the stored one), because the node
runs again from its start when the agent's answer resumes it. The agent answers with
`Command(resume={"action": "reply" | "resolve" | "return_to_bot", "message": ..., "agent": ...})`.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import BaseModel, Field

from graphs.context import Context
from graphs.handover import handover_summary, suggested_opening
from graphs.memory_notes import note_chapter
from graphs.messages import last_customer_message, message_text
from graphs.services import Services
from graphs.state import State

AGENT_AUTHOR = "human_agent"
"""`additional_kwargs["author"]` of messages written by a human agent."""


class AgentResume(BaseModel):
    """What a human agent sends to resume a handed-off conversation."""

    action: Literal["reply", "resolve", "return_to_bot"] = Field(
        description="reply: post a message and keep the conversation; resolve: close the "
        "case; return_to_bot: give the conversation back to the bot."
    )
    message: str = Field(default="", max_length=8000, description="Text for the customer.")
    agent: str = Field(default="agent", max_length=120, description="The agent's display name.")


def handoff_payload(state: State) -> dict[str, Any]:
    """The queue entry shown to human agents: why, who, what, how they feel, a reply idea."""
    handoff = state.get("handoff") or {"status": "none"}
    sentiment = state.get("sentiment")
    customer = state.get("customer")
    message = last_customer_message(state.get("messages", []))
    last_text = message_text(message) if message else ""
    kind = "handoff"
    if handoff.get("status") == "human":
        latest = state.get("messages") or []
        from_agent = bool(latest) and latest[-1].additional_kwargs.get("author") == AGENT_AUTHOR
        kind = "awaiting_agent" if from_agent else "customer_message"
    reason = handoff.get("reason", "explicit_request")
    return {
        "type": kind,
        "reason": reason,
        "summary": handover_summary(state, reason),
        "intent": state.get("intent"),
        "sentiment": dict(sentiment) if sentiment else None,
        "customer": dict(customer) if customer else None,
        "order_id": state.get("active_order_id"),
        "channel": state.get("channel"),
        "last_message": last_text,
        "suggested_reply": suggested_opening(state, reason),
    }


def handoff(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Wait for a human agent, then post their message and update who is in charge."""
    created = (state.get("handoff") or {"status": "none"}).get("status") == "waiting"
    if created and state.get("route") == "handoff":
        note_chapter(runtime, services, state, "handed_off")
    answer = interrupt(handoff_payload(state), response_schema=AgentResume)
    if isinstance(answer, dict):
        answer = AgentResume.model_validate(answer)
    current = dict(state.get("handoff") or {"status": "waiting"})
    update: dict[str, Any] = {"failures": 0}
    if answer.message.strip():
        update["messages"] = [
            AIMessage(
                content=answer.message.strip(),
                name=answer.agent,
                additional_kwargs={"author": AGENT_AUTHOR},
            )
        ]
    status = {"reply": "human", "resolve": "resolved", "return_to_bot": "returned"}[answer.action]
    current.update({"status": status, "agent": answer.agent})
    update["handoff"] = current
    if answer.action == "resolve":
        note_chapter(runtime, services, state, "resolved", answer.agent)
    messages = state.get("messages") or []
    open_question = bool(messages) and isinstance(messages[-1], HumanMessage)
    sentiment = state.get("sentiment")
    if status == "returned" and open_question and "messages" not in update and sentiment:
        # The bot answers the open question next (see `next_after_handoff`) and
        # `understand` scores it again: its score leaves the history so it counts once.
        update["sentiment"] = {**sentiment, "history": sentiment["history"][:-1]}
    return update
