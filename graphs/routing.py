"""Routing policy: which branch serves the current turn, and when a human takes over.

Kept as pure functions of the state so the policy is unit-testable and documented in one
place. (An empty message never reaches it: `understand` answers it.) Order of precedence:

1. A conversation owned by (or waiting for) a human goes to the human.
2. A pending action is confirmed or declined when the customer answers yes or no; a
   pending action still missing details goes back to the order tools.
3. Explicit requests for a person, complaints, strongly negative or worsening sentiment
   hand off.
4. Otherwise the intent's route from the catalogue; out-of-scope or unclear messages get
   a polite refusal or a clarifying question, and the next failure in a row hands off.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import HumanMessage

from graphs.intents import route_of
from graphs.nodes.guard import ATTACHMENTS_ONLY
from graphs.nodes.handoff import AGENT_AUTHOR
from graphs.services import Services
from graphs.state import Route, State

MAX_FAILURES = 2
"""Consecutive unclear or out-of-scope turns tolerated before a human takes over."""

WORSENING_TREND = -0.25
"""Sentiment slope (per message) below which a frustrated customer is handed off."""


def decide_route(
    state: State, services: Services, confirmation: Literal["yes", "no"] | None
) -> tuple[Route, str | None]:
    """Return the route for the current turn and, for handoffs, the reason."""
    handoff = state.get("handoff") or {"status": "none"}
    if handoff.get("status") in ("waiting", "human"):
        return "to_human", None

    pending = state.get("pending_action")
    if pending:
        if confirmation == "yes" and not pending["missing"]:
            return "confirm", None
        if confirmation == "no":
            return "decline_action", None
        if pending["missing"] and not _confidently_elsewhere(state, services):
            return "orders", None

    if ATTACHMENTS_ONLY in (state.get("flags") or []):
        return "handoff", "attachment_only"
    intent = state.get("intent") or ""
    if intent == "human_agent":
        return "handoff", "explicit_request"
    if intent == "complaint":
        return "handoff", "complaint"
    sentiment = state.get("sentiment")
    if sentiment:
        if sentiment["score"] <= services.limits.handoff_sentiment_threshold:
            return "handoff", "negative_sentiment"
        worsening = len(sentiment["history"]) >= 3 and sentiment["trend"] <= WORSENING_TREND
        if sentiment["frustration"] and worsening:
            return "handoff", "worsening_sentiment"

    failures = int(state.get("failures") or 0)
    confident = state.get("intent_confidence", 0.0) >= services.intent_threshold()
    route = route_of(services.catalogue, intent)
    if not confident or route is None:
        if failures >= MAX_FAILURES:
            return "handoff", "repeated_failure"
        return "clarify", None
    if route == "out_of_scope":
        if failures >= MAX_FAILURES:
            return "handoff", "out_of_scope"
        return "out_of_scope", None
    if route == "handoff":
        return "handoff", "explicit_request"
    if route == "orders":
        return "orders", None
    if route == "knowledge":
        return "knowledge", None
    return "smalltalk", None


def _confidently_elsewhere(state: State, services: Services) -> bool:
    """The message is confidently about something other than orders (a new question)."""
    confident = state.get("intent_confidence", 0.0) >= services.intent_threshold()
    route = route_of(services.catalogue, state.get("intent"))
    return confident and route in ("knowledge", "handoff", "out_of_scope")


FAST_ROUTES = ("knowledge", "smalltalk")
"""Rule routes that only answer (no order look-up needed to tell which)."""


def takes_fast_path(
    state: State, services: Services, route: str, intent: str | None, confidence: float
) -> bool:
    """Whether a model-planned deployment serves this turn by the rules (a confident look-up).

    Only answers qualify: a help-centre question, small talk, or an order look-up (an
    `orders` intent with no action). Never with a pending action or a guard flag.
    """
    threshold = services.limits.fast_path_confidence
    if threshold is None or confidence < threshold:
        return False
    if state.get("pending_action") or state.get("flags"):
        return False
    if route in FAST_ROUTES:
        return True
    return route == "orders" and bool(intent) and services.catalogue.action_of(str(intent)) is None


def next_after_understand(state: State) -> str:
    """Conditional edge after `understand`: the node that serves the route."""
    route = state.get("route")
    if route == "orders":
        return "order_tools"
    if route == "confirm":
        return "order_action"
    if route == "knowledge":
        return "retrieve"
    if route == "to_human":
        return "handoff"
    if route == "agent":
        return "agent"
    return "draft"


MODEL_KEEPS = ("empty", "to_human", "handoff", "confirm")
"""Routes that stay on their fixed path when a model plans the turn."""


RULE_ONLY_HANDOFFS = ("repeated_failure", "out_of_scope", "attachment_only")
"""Handoffs for messages the rules could not place; a planning model reads them itself."""


def model_route(route: Route, reason: str | None) -> tuple[Route, str | None]:
    """The route and handoff reason of a model-planned turn.

    The model's, except for the fixed paths (empty messages, confirmations, human handoffs).
    """
    if route == "handoff" and reason in RULE_ONLY_HANDOFFS:
        return "agent", None
    return (route, reason) if route in MODEL_KEEPS else ("agent", None)


def next_after_agent(state: State) -> str:
    """Conditional edge after `agent`: done, a handoff, or the rule path on a model failure."""
    route = state.get("route")
    if route == "agent":
        return "__end__"
    if route == "handoff":
        return "handoff"
    if route == "confirm":
        return "draft"
    return next_after_understand(state)


def next_after_order_action(state: State) -> str:
    """Conditional edge after `order_action`: the model reports back when it plans turns."""
    return "agent" if state.get("planner") == "model" else "draft"


def next_after_draft(state: State) -> str:
    """Conditional edge after `draft`: hand over to a human when the route says so."""
    return "handoff" if state.get("route") == "handoff" else "__end__"


def next_after_handoff(state: State) -> str:
    """Conditional edge after `handoff`: wait for the agent again, answer the bot, or end.

    The agent keeps the conversation after replying, so the graph pauses once more: the
    agent can write again, resolve or return it to the bot without waiting for the
    customer, and a customer message starts a new turn that reaches the agent as before.
    A conversation returned to the bot while the customer's latest message is still
    unanswered (nobody wrote after it) gets a bot turn on that message right away.
    """
    status = (state.get("handoff") or {"status": "none"}).get("status")
    if status == "human" and agent_spoke_last(state):
        return "handoff"
    if status == "returned" and customer_spoke_last(state):
        return "guard"
    return "__end__"


def agent_spoke_last(state: State) -> bool:
    """Whether the newest message was written by a human agent."""
    messages = state.get("messages") or []
    if not messages:
        return False
    return bool(messages[-1].additional_kwargs.get("author") == AGENT_AUTHOR)


def customer_spoke_last(state: State) -> bool:
    """Whether the newest message is the customer's (nobody has answered it yet)."""
    messages = state.get("messages") or []
    return bool(messages) and isinstance(messages[-1], HumanMessage)
