"""One typed schema for every event a conversation turn emits, and for the queue feed.

A turn's events reach every channel (terminal, SSE, WebSocket) as plain dicts with a `type`
key; these models say exactly what each type carries. `TurnEvent` is the discriminated
union of a conversation's events, `QueueEvent` the agents' queue feed. Use `validate_event`
to check a dict before publishing it, and `event_json_schema` for the JSON Schema that
`scripts/gen_event_types.py` turns into the TypeScript types of the web and mobile apps.

Transports add their own numbering: SSE sends it on the `id:` line, the WebSocket as an
`id` key beside the event's fields. It is not part of these shapes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from graphs.state import HandoffStatus
from tools.sentiment import SentimentLabel


def _type_required(schema: dict[str, Any]) -> None:
    """List `type` as required in the JSON Schema: the union dispatches on it."""
    if "type" in schema.get("properties", {}):
        schema["required"] = ["type", *[r for r in schema.get("required", []) if r != "type"]]


class _Shape(BaseModel):
    """A fixed shape: unknown keys and loosely typed values are rejected."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_type_required)


# --- conversation events ------------------------------------------------------------------


class AttachmentRef(_Shape):
    """A file the customer attached to a message (download it from `/v1/attachments/{id}`)."""

    id: str = Field(description="The attachment's id.")
    filename: str = Field(description="The file's name, made safe (letters, digits, . _ -).")
    content_type: str = Field(description="The type recognised from the file's content.")
    size: int = Field(description="Size in bytes.")


class CustomerMessageEvent(_Shape):
    """The customer's message, echoed as the first event of the turn it starts."""

    type: Literal["customer_message"] = "customer_message"
    text: str = Field(description="What the customer wrote.")
    attachments: list[AttachmentRef] = Field(
        default_factory=list, description="Files attached to the message, if any."
    )


class StatusEvent(_Shape):
    """A line telling the customer what is happening (or why the answer waits)."""

    type: Literal["status"] = "status"
    text: str = Field(description="The sentence to show, e.g. a notice that the server is busy.")


class OrderCardItem(_Shape):
    """One line of an order card."""

    name: str = Field(description="The item's product name.")
    price: float = Field(description="The item's price.")


class OrderCardShape(_Shape):
    """What the chat's order card shows, as the order was when the tool ran."""

    order_id: str = Field(description="The order, e.g. `#W1234567`.")
    status: str = Field(description="Its status then, e.g. pending, delivered, cancelled.")
    items: list[OrderCardItem] = Field(description="Its items and their prices.")
    city: str | None = Field(default=None, description="The shipping address's city.")
    state: str | None = Field(default=None, description="The shipping address's state.")


class ToolEvent(_Shape):
    """A tool starting or finishing: an order lookup, an order action, a help-centre search."""

    type: Literal["tool"] = "tool"
    name: str = Field(description="The tool, e.g. `get_order_details`, `search_knowledge_base`.")
    phase: Literal["start", "end"] = Field(description="`start` before the call, `end` after.")
    summary: str = Field(
        description="A short human-readable line: what is being looked up, what was found, "
        "or the error when the call failed."
    )
    ok: bool = Field(description="False when the call failed (only on `end`).")
    order: OrderCardShape | None = Field(
        default=None,
        description="On the `end` of a call that returned one of the customer's orders: the "
        "order as it was then (the card a reload shows, not today's status).",
    )


class TokenEvent(_Shape):
    """A piece of the bot's reply as it is produced; not persisted, `done` has the whole reply."""

    type: Literal["token"] = "token"
    text: str = Field(description="The next piece of the reply, to append to what came before.")


class HandoffSentiment(_Shape):
    """The customer's sentiment when the conversation was handed off."""

    score: float = Field(description="The latest message's score in [-1, 1] (negative is upset).")
    label: SentimentLabel = Field(description="The latest message's label.")
    frustration: bool = Field(description="Whether frustration cues (shouting, ...) were found.")
    cues: list[str] = Field(description="The frustration cues found.")
    history: list[float] = Field(description="Scores of the customer's recent messages.")
    trend: float = Field(description="How the scores move over the history (negative: worse).")


class HandoffCustomer(_Shape):
    """The identified customer of a handed-off conversation."""

    user_id: str = Field(description="The customer's id.")
    name: str = Field(description="The customer's full name.")
    verified_by: Literal["auth", "email", "name_zip"] = Field(
        description="How the customer was identified: signed in, by email, or by name and zip."
    )


class HandoffPayload(_Shape):
    """What the handoff shows human agents: why, who, what, how they feel, a reply idea."""

    type: Literal["handoff", "awaiting_agent", "customer_message"] = Field(
        description="`handoff`: the bot hands the conversation to a person (new in the queue); "
        "`awaiting_agent`: the agent's own reply paused the conversation again (nothing new for "
        "the queue); `customer_message`: the customer wrote while a person has the conversation."
    )
    reason: str = Field(
        description="Why it was handed off: explicit_request, complaint, negative_sentiment, "
        "worsening_sentiment, repeated_failure, out_of_scope, policy_refund_limit, "
        "attachment_only (files sent without words) or language (the customer writes in a "
        "language the offline bot does not serve)."
    )
    summary: str = Field(description="One line for the agent: customer, intent, order, mood.")
    intent: str | None = Field(description="The latest message's intent, if known.")
    sentiment: HandoffSentiment | None = Field(description="The customer's sentiment, if known.")
    customer: HandoffCustomer | None = Field(description="The customer, once identified.")
    order_id: str | None = Field(description="The order the conversation is about, if any.")
    channel: str | None = Field(description="Where the latest message came from.")
    last_message: str = Field(description="The customer's latest message.")
    suggested_reply: str = Field(description="An opening line the agent may send.")


class HandoffEvent(_Shape):
    """The conversation now waits for a human agent (the graph paused for one)."""

    type: Literal["handoff"] = "handoff"
    payload: HandoffPayload = Field(description="The queue entry's details.")


class AgentMessageEvent(_Shape):
    """A human agent's message to the customer."""

    type: Literal["agent_message"] = "agent_message"
    agent: str = Field(description="The agent's display name.")
    text: str = Field(description="What the agent wrote.")


class AgentTypingEvent(_Shape):
    """The human agent holding the conversation is writing (shown for a few seconds).

    Live only: never persisted, never part of a replayed transcript, never sent to a model.
    """

    type: Literal["agent_typing"] = "agent_typing"
    agent: str = Field(description="The writing agent's display name.")


class TurnUsageShape(_Shape):
    """What the chat model spent on the turn."""

    model: str = Field(description="The model that planned the turn.")
    calls: int = Field(description="Model calls in the turn.")
    input_tokens: int = Field(description="Prompt tokens.")
    output_tokens: int = Field(description="Generated tokens.")
    cache_read_tokens: int = Field(description="Prompt tokens read from the provider's cache.")
    cache_write_tokens: int = Field(description="Prompt tokens written to the provider's cache.")
    cost_usd: float | None = Field(description="Estimated cost; null when the price is unknown.")


class SourceShape(_Shape):
    """A help-centre article a reply was grounded on."""

    article_id: str = Field(description="The article's id (shown at `/help/{article_id}`).")
    title: str = Field(description="The article's title.")


class DoneEvent(_Shape):
    """The turn finished; the last event of every successful turn."""

    type: Literal["done"] = "done"
    conversation_id: str = Field(description="The conversation the turn belongs to.")
    reply: str = Field(description="The whole reply of the turn (empty if there was none).")
    waiting_for_human: bool = Field(description="Whether the conversation waits for a person.")
    handoff_status: HandoffStatus = Field(
        description="none; waiting (queued for a person); human (an agent has it); "
        "returned (given back to the bot); resolved (the agent closed the case)."
    )
    planner: Literal["rules", "model", "fast", "fallback"] | None = Field(
        default=None,
        description="Who served the turn: rules (no model configured), model, fast (a "
        "confident look-up the rules answered although a model is configured) or fallback "
        "(the model failed and the rules answered).",
    )
    usage: TurnUsageShape | None = Field(
        default=None, description="The chat model's tokens and cost; null without a model call."
    )
    customer_id: str | None = Field(
        default=None,
        description="The customer the conversation has identified (signed in, by email or by "
        "name and zip); null while unidentified.",
    )
    intent: str | None = Field(
        default=None,
        description="The intent of the customer's latest message (null when unknown).",
    )
    sources: list[SourceShape] | None = Field(
        default=None,
        description="The help-centre articles retrieved for the reply, best first (null when "
        "none), so a transcript shows the same sources later.",
    )
    awaiting_confirmation: bool = Field(
        default=False,
        description="Whether the reply asks the customer to confirm (yes) or decline (no) an "
        "action described in it; apps show the two answers as buttons.",
    )


class SpeechInterruptedEvent(_Shape):
    """The customer spoke over the voice reply: its speech stopped.

    `heard` is the reply's text that had been played out, `unheard` the rest, which the
    customer did not hear (the reply itself stays whole in the conversation).
    """

    type: Literal["speech_interrupted"] = "speech_interrupted"
    heard: str = Field(description="The reply's sentences played before the interruption.")
    unheard: str = Field(description="The reply's text that was cut off or never spoken.")


class ErrorEvent(_Shape):
    """Something went wrong: a turn that could not finish, or a rejected WebSocket message.

    A failed turn carries `detail`, `retryable` and `error` and ends the turn like `done`.
    A WebSocket message that was not taken carries `code` (and, for `invalid_request`,
    `detail`); such errors are sent on that socket only, without an `id`.
    """

    type: Literal["error"] = "error"
    detail: str | None = Field(default=None, description="What went wrong, for people.")
    retryable: bool | None = Field(default=None, description="Whether sending again may work.")
    error: str | None = Field(
        default=None, description="The failure's kind, e.g. the exception's name or LeaseLost."
    )
    code: Literal["invalid_request", "rate_limited", "turn_in_progress"] | None = Field(
        default=None, description="Why a WebSocket message was not taken."
    )


TurnEventModel = (
    CustomerMessageEvent
    | StatusEvent
    | ToolEvent
    | TokenEvent
    | HandoffEvent
    | AgentMessageEvent
    | AgentTypingEvent
    | DoneEvent
    | SpeechInterruptedEvent
    | ErrorEvent
)
"""Any of the models of a conversation's events."""

TurnEvent = Annotated[TurnEventModel, Field(discriminator="type")]
"""One event of a conversation, told apart by its `type`."""

TURN_EVENT_MODELS: tuple[type[BaseModel], ...] = (
    CustomerMessageEvent,
    StatusEvent,
    ToolEvent,
    TokenEvent,
    HandoffEvent,
    AgentMessageEvent,
    AgentTypingEvent,
    DoneEvent,
    SpeechInterruptedEvent,
    ErrorEvent,
)
"""The models of `TurnEvent`, in the order the generated types list them."""

turn_event_adapter: TypeAdapter[TurnEventModel] = TypeAdapter(TurnEvent)
"""Validates a conversation event (a dict) into its model."""


# --- the agents' queue feed ---------------------------------------------------------------


class QueueRow(_Shape):
    """A handoff queue entry as stored (the queue feed sends it on every change)."""

    conversation_id: str = Field(description="The handed-off conversation.")
    status: Literal["waiting", "claimed", "resolved", "returned"] = Field(
        description="waiting for an agent, claimed by one, or closed (resolved or returned)."
    )
    reason: str | None = Field(description="Why it was handed off (see HandoffPayload).")
    intent: str | None = Field(description="The customer's intent at the handoff.")
    sentiment_label: str | None = Field(description="The customer's latest sentiment label.")
    sentiment_score: float | None = Field(description="The customer's latest sentiment score.")
    summary: str | None = Field(description="One line for the agent.")
    suggested_reply: str | None = Field(description="An opening line the agent may send.")
    customer_id: str | None = Field(description="The customer, if identified.")
    channel: str | None = Field(description="Where the conversation happens.")
    last_message: str | None = Field(description="The customer's latest message.")
    created_at: float = Field(description="When it was handed off (Unix seconds).")
    updated_at: float = Field(description="When the entry last changed (Unix seconds).")
    claimed_by: str | None = Field(description="The agent who claimed it.")
    claimed_at: float | None = Field(description="When it was claimed (Unix seconds).")
    first_response_at: float | None = Field(description="When an agent first answered.")
    resolved_at: float | None = Field(description="When it was resolved or returned.")
    tags: str | None = Field(default=None, description="The agents' tags, a JSON list.")
    priority: str | None = Field(
        default=None, description="low, normal, high or urgent (None: normal)."
    )
    order_id: str | None = Field(default=None, description="The order it is about, if any.")


class QueueUpdateEvent(_Shape):
    """A queue entry was opened or changed (claimed, answered, resolved, returned)."""

    type: Literal["queue_update"] = "queue_update"
    entry: QueueRow = Field(description="The entry as it is now.")
    change: str | None = Field(
        default=None,
        description="What changed when it was not the status alone: requeued (a claim timed "
        "out), unclaim, reassign, takeover, labels, note.",
    )


QueueEvent = QueueUpdateEvent
"""One event of the agents' queue feed (a union once the feed sends more than one type)."""

QUEUE_EVENT_MODELS: tuple[type[BaseModel], ...] = (QueueUpdateEvent,)
"""The models of `QueueEvent`."""


# --- checks and schema --------------------------------------------------------------------


def validate_event(event: dict[str, Any]) -> dict[str, Any]:
    """Check a conversation event against its model and return it unchanged.

    Raises `pydantic.ValidationError` for an unknown `type`, a missing or unknown key, or a
    value of the wrong type.
    """
    turn_event_adapter.validate_python(event)
    return event


def validate_queue_event(event: dict[str, Any]) -> dict[str, Any]:
    """Check a queue-feed event against its model and return it unchanged."""
    QueueUpdateEvent.model_validate(event)
    return event


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of `TurnEvent`: a `oneOf` over the event models, keyed by `type`."""
    return turn_event_adapter.json_schema()


def queue_event_json_schema() -> dict[str, Any]:
    """The JSON Schema of `QueueEvent`."""
    return QueueUpdateEvent.model_json_schema()
