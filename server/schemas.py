"""Request and response bodies of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Channel = Literal["web", "mobile", "email", "sms", "voice", "api"]


class Strict(BaseModel):
    """Request bodies reject unknown fields."""

    model_config = ConfigDict(extra="forbid")


class CreateConversation(Strict):
    """Start a conversation. Agents and admins may open one on a customer's behalf."""

    channel: Channel = "web"
    customer_id: str | None = Field(
        default=None,
        max_length=120,
        description="Customer the conversation belongs to (agents/admins only; customers "
        "always own the conversations they create).",
    )


AttachmentId = Annotated[str, Field(pattern=r"^att_[0-9a-f]{32}$")]

MAX_ATTACHMENTS_PER_MESSAGE = 5


class PostMessage(Strict):
    """A customer's message: text, attached files, or both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"minLength": 1}}},
                {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}},
            ]
        },
    )

    text: str = Field(
        default="",
        max_length=8000,
        description="What the customer wrote (may be empty when files are attached).",
    )
    attachments: list[AttachmentId] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS_PER_MESSAGE,
        description="Ids of files uploaded to this conversation "
        "(`POST /v1/conversations/{id}/attachments`) that come with the message.",
    )
    client_message_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:\-]{8,80}$",
        description="The app's id for this message: a message sent again with the same id "
        "(a retry after a dropped connection) is answered 409 `duplicate_message` and not "
        "taken twice.",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> PostMessage:
        if not self.text and not self.attachments:
            raise ValueError("a message needs text or an attachment")
        return self


class AgentMessage(Strict):
    """A human agent's reply to the customer."""

    text: str = Field(min_length=1, max_length=8000)


class AgentClose(Strict):
    """Resolve a case or return it to the bot, optionally with a last message."""

    text: str = Field(default="", max_length=8000)


class Conversation(BaseModel):
    """A conversation's metadata."""

    id: str
    customer_id: str | None
    channel: str
    created_at: float
    updated_at: float
    handoff_status: str = Field(description="none, waiting, human, returned or resolved.")
    waiting_for_human: bool
    intent: str | None = None
    message_count: int = 0
    turn_running: bool = False
    last_event_id: int = Field(0, description="Cursor of the latest event (for resuming).")
    awaiting_confirmation: bool = Field(
        False, description="The last reply asks the customer to confirm an action (yes / no)."
    )


class ConversationPage(BaseModel):
    """A page of conversations."""

    items: list[Conversation]
    next_offset: int | None


class AttachmentInfo(BaseModel):
    """A file a customer attached (download it from `/v1/attachments/{id}`)."""

    id: str
    filename: str = Field(description="The file's name, made safe (letters, digits, . _ -).")
    content_type: str = Field(description="The type recognised from the file's content.")
    size: int = Field(description="Size in bytes.")


class Message(BaseModel):
    """One message of the transcript."""

    index: int
    role: Literal["customer", "bot", "agent"]
    author: str | None = None
    text: str
    attachments: list[AttachmentInfo] = Field(
        default_factory=list, description="Files the customer attached to this message."
    )


class MessagePage(BaseModel):
    """A page of the transcript, oldest first."""

    items: list[Message]
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page.")


class QueueEntry(BaseModel):
    """A handed-off conversation in the human queue."""

    conversation_id: str
    status: Literal["waiting", "claimed", "resolved", "returned"]
    reason: str | None
    intent: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    summary: str | None
    suggested_reply: str | None
    customer_id: str | None
    channel: str | None
    last_message: str | None
    created_at: float
    waiting_seconds: float
    sla_state: Literal["ok", "at_risk", "breached", "met"]
    claimed_by: str | None
    claimed_at: float | None
    first_response_at: float | None
    resolved_at: float | None
    tags: list[str] = []
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    order_id: str | None = None


class TranscriptEvent(BaseModel):
    """A tool call, handoff or other recorded event in a transcript."""

    seq: int
    type: str
    data: dict[str, object]


class CustomerProfile(BaseModel):
    """What the long-term memory keeps about a customer (saved when they are identified)."""

    name: str | None = Field(description="The customer's full name.")
    email: str | None = Field(description="The email address on the account, if known.")
    verified_by: str | None = Field(
        description="How they were last identified: auth, email or name_zip."
    )
    last_seen: float | None = Field(
        description="When they were last identified in a conversation (epoch seconds)."
    )


class EarlierConversation(BaseModel):
    """One of the customer's other conversations, as the long-term memory summarises it."""

    conversation_id: str
    summary: str = Field(description="One line: what it was about and how it ended.")
    when: float = Field(description="When the summary was written (epoch seconds).")
    outcome: str | None = Field(description="handed_off, action_done or resolved.")
    intent: str | None = Field(description="The intent at the time, if known.")


class CustomerConversation(BaseModel):
    """One of the customer's conversations on any channel (web, email, messaging, ...)."""

    conversation_id: str
    channel: str = Field(description="Where the conversation happens.")
    created_at: float = Field(description="Epoch seconds.")
    updated_at: float = Field(description="Epoch seconds of the latest activity.")


class TranscriptCustomer(BaseModel):
    """The conversation's customer as the long-term memory knows them."""

    user_id: str
    profile: CustomerProfile | None = Field(description="None when nothing is remembered.")
    earlier_conversations: list[EarlierConversation] = Field(
        description="Their other conversations, newest first (at most 10)."
    )
    conversations: list[CustomerConversation] = Field(
        default_factory=list,
        description="Their conversations on every channel, newest first (at most 20), "
        "this one included.",
    )


class Transcript(BaseModel):
    """Everything an agent needs to take over: messages, tool calls, sources, AI notes."""

    conversation_id: str
    messages: list[Message]
    events: list[TranscriptEvent]
    passages: list[dict[str, object]]
    queue: QueueEntry | None
    customer: TranscriptCustomer | None = Field(
        default=None, description="Who the customer is and their earlier conversations."
    )


class Problem(BaseModel):
    """An RFC 9457 problem body, returned with every 4xx/5xx."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str | None = None
    request_id: str | None = None
    errors: list[dict[str, object]] | None = None
