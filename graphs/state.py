"""The support graph's state: what a conversation remembers between turns.

`State` is the full checkpointed state. `InputState` is the narrow shape a channel sends
for one turn (the customer's message and where it came from); everything else is derived
by the graph's nodes.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from langchain_core.messages import AnyMessage

from graphs.messages import add_recent_messages

Route = Literal[
    "empty",
    "smalltalk",
    "knowledge",
    "orders",
    "confirm",
    "decline_action",
    "clarify",
    "out_of_scope",
    "unsupported_language",
    "handoff",
    "to_human",
    "agent",
]
"""Where the router sends the current turn."""

HandoffStatus = Literal["none", "waiting", "human", "returned", "resolved"]
"""`waiting`: queued for a human; `human`: an agent owns the conversation; `returned`: the
agent gave it back to the bot; `resolved`: the agent closed the case."""


class Customer(TypedDict):
    """The identified customer of this conversation (τ-bench: one user per conversation)."""

    user_id: str
    name: str
    verified_by: Literal["auth", "email", "name_zip"]


class CustomerHistory(TypedDict):
    """What the long-term memory holds about the customer's earlier conversations."""

    conversations: int
    latest: str


class SentimentState(TypedDict):
    """Sentiment of the latest message plus the conversation's history of scores."""

    score: float
    label: str
    frustration: bool
    cues: list[str]
    history: list[float]
    trend: float


class Passage(TypedDict):
    """A retrieved knowledge-base passage with its source, as the drafter sees it."""

    article_id: str
    title: str
    source: str
    text: str
    score: float


class ToolResult(TypedDict):
    """One tool call made during the current turn and what it returned."""

    tool: str
    args: dict[str, Any]
    ok: bool
    output: Any
    payment_label: NotRequired[str]


class TurnUsage(TypedDict):
    """What the chat model spent on one turn."""

    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float | None
    """None when the model's price is not known."""


class PendingAction(TypedDict):
    """A consequential order action awaiting the customer's explicit confirmation.

    `missing` lists arguments still to be collected (e.g. the cancellation reason);
    the customer is asked to confirm only once it is empty. `wanted` keeps, per item of an
    exchange or item change, the option values asked for so far ("same color", "size 10").
    """

    action: str
    tool: str
    args: dict[str, Any]
    summary: str
    missing: list[str]
    refund_total: NotRequired[float]
    payment_label: NotRequired[str]
    wanted: NotRequired[dict[str, dict[str, str]]]
    id: NotRequired[str]
    """Unique per proposal: with the conversation it makes the action's idempotency key."""


class IdentityCheck(TypedDict):
    """The identity the customer offered in the latest message, resolved by the guard node.

    The email or name + zip themselves are not kept: only whether one was offered, who it
    identified and the notice when it identified nobody.
    """

    offered: bool
    customer: Customer | None
    notice: str | None


class Handoff(TypedDict):
    """The human-handoff record for this conversation."""

    status: HandoffStatus
    reason: NotRequired[str]
    agent: NotRequired[str]
    summary: NotRequired[str]


class InputState(TypedDict):
    """What a channel sends for one turn.

    `customer_turns` is added up: each customer message sends 1, so the state counts every
    message the customer wrote although `messages` keeps only the latest ones.
    """

    messages: Annotated[list[AnyMessage], add_recent_messages]
    channel: NotRequired[str]
    customer_turns: NotRequired[Annotated[int, operator.add]]


class State(InputState, total=False):
    """The whole conversation state checkpointed after every step.

    Fields:
        messages: the latest messages of the transcript (customer, bot and human-agent),
            merged by id; the oldest leave past `graphs.messages.TRANSCRIPT_WINDOW`.
        channel: where the latest message came from (`cli`, `web`, `email`, ...).
        customer_turns: messages the customer has written in the conversation.
        customer: the identified customer, or absent until identified.
        history: the identified customer's earlier conversations from the long-term memory
            (how many, the latest one's summary), read when they are identified.
        welcome_back: set on the turn a returning customer is identified, to greet them.
        intent / intent_confidence / intent_source: the latest message's intent, the
            classifier's calibrated confidence and which engine decided.
        entities: ids and slots mentioned so far (order ids, emails, reasons, ...).
        active_order_id: the order the conversation is about, so "cancel it" resolves.
        sentiment: the latest message's sentiment and the running history.
        language: the ISO 639-1 code of the latest message's language (`en` when unsure).
        flags: guard findings on the latest message (truncated, prompt_injection, ...).
        route: the router's decision for the current turn.
        passages: knowledge-base passages retrieved this turn, with sources.
        tool_results: order tools called this turn, with their outputs.
        pending_action: a consequential action awaiting explicit confirmation.
        done_actions: consequential actions carried out in this conversation, in words
            (`cancelled order #W1234567`), the latest few; the handover note cites them.
        handoff: the human-handoff status.
        failures: consecutive turns the bot could not understand or serve.
        notice: a short instruction for the drafter set by a node (e.g. `ask_identity`).
        planner: who plans this turn: `model` (a chat model is configured) or `rules`;
            `fast` when a model is configured but a confident look-up is served by the
            rules; `fallback` when the model failed this turn (the rules serve it).
        usage: the chat model's tokens this turn (None: no model call).
        rule_route: on model-planned turns, the route the rules chose (the fallback).
        agent_messages: the model planner's working transcript (tool calls and results).
        identity_check: the identity offered in the latest message (resolved from the raw
            words before the guard redacted them).
        offered_address: the postal address written in the latest message, parsed into the
            order tools' fields (the transcript holds `[ADDRESS]` instead).
    """

    customer: Customer | None
    history: CustomerHistory | None
    welcome_back: bool
    intent: str | None
    intent_confidence: float
    intent_source: str
    entities: dict[str, Any]
    active_order_id: str | None
    sentiment: SentimentState
    language: str
    flags: list[str]
    route: Route | None
    passages: list[Passage]
    tool_results: list[ToolResult]
    pending_action: PendingAction | None
    done_actions: list[str]
    handoff: Handoff
    failures: int
    notice: str | None
    planner: Literal["rules", "model", "fast", "fallback"]
    usage: TurnUsage | None
    rule_route: Route | None
    agent_messages: list[AnyMessage]
    identity_check: IdentityCheck | None
    offered_address: dict[str, str] | None
