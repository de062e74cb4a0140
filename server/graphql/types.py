"""The GraphQL object types: the REST schemas' fields, in GraphQL's camelCase."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from pydantic import BaseModel
from strawberry.scalars import JSON

from server import schemas

if TYPE_CHECKING:
    from server.graphql.context import GraphQLContext

__all__ = ["JSON"]


def _fields(model: BaseModel) -> dict[str, Any]:
    return model.model_dump()


@strawberry.type(description="A file the customer attached (bytes at /v1/attachments/{id}).")
class Attachment:
    """An attachment of a customer's message."""

    id: str
    filename: str
    content_type: str
    size: int


@strawberry.type(description="One customer, bot or agent message of a transcript.")
class Message:
    """A transcript message."""

    index: int
    role: str
    author: str | None
    text: str
    attachments: list[Attachment]

    @classmethod
    def of(cls, model: schemas.Message) -> Message:
        """From the REST schema."""
        fields = _fields(model)
        fields["attachments"] = [Attachment(**item) for item in fields["attachments"]]
        return cls(**fields)


@strawberry.type(description="A page of a transcript, oldest first.")
class MessagePage:
    """Messages and the cursor of the next page."""

    items: list[Message]
    next_cursor: int | None

    @classmethod
    def of(cls, model: schemas.MessagePage) -> MessagePage:
        """From the REST schema."""
        return cls(items=[Message.of(m) for m in model.items], next_cursor=model.next_cursor)


@strawberry.type(description="A conversation's metadata joined with its state.")
class Conversation:
    """A conversation."""

    id: strawberry.ID
    customer_id: str | None
    channel: str
    created_at: float
    updated_at: float
    handoff_status: str
    waiting_for_human: bool
    intent: str | None
    message_count: int
    turn_running: bool
    last_event_id: int
    awaiting_confirmation: bool = strawberry.field(
        default=False,
        description="The last reply asks the customer to confirm an action (yes / no).",
    )

    @strawberry.field(description="The transcript, one page at a time.")
    async def messages(
        self, info: strawberry.Info[GraphQLContext, None], cursor: int = 0, limit: int = 50
    ) -> MessagePage:
        """The conversation's messages (same rules as the `messages` query)."""
        from server.graphql.query import load_messages

        return await load_messages(info.context, str(self.id), cursor, limit)

    @classmethod
    def of(cls, model: schemas.Conversation) -> Conversation:
        """From the REST schema."""
        return cls(**_fields(model))


@strawberry.type(description="A page of conversations, newest first.")
class ConversationPage:
    """Conversations and the offset of the next page."""

    items: list[Conversation]
    next_offset: int | None


@strawberry.type(description="A handed-off conversation in the agents' queue.")
class QueueEntry:
    """A queue row with its waiting time and SLA state."""

    conversation_id: strawberry.ID
    status: str
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
    sla_state: str
    claimed_by: str | None
    claimed_at: float | None
    first_response_at: float | None
    resolved_at: float | None
    tags: list[str]
    priority: str
    order_id: str | None

    @classmethod
    def of(cls, model: schemas.QueueEntry) -> QueueEntry:
        """From the REST schema."""
        return cls(**_fields(model))


@strawberry.type(description="What is remembered about a customer.")
class CustomerProfile:
    """Name, email, how they were verified, when they were last seen."""

    name: str | None
    email: str | None
    verified_by: str | None
    last_seen: float | None


@strawberry.type(description="A one-line summary of an earlier conversation.")
class EarlierConversation:
    """An earlier conversation of the customer."""

    conversation_id: strawberry.ID
    summary: str
    when: float
    outcome: str | None
    intent: str | None


@strawberry.type(description="A customer: remembered profile, earlier conversations, orders.")
class Customer:
    """A customer the caller may see."""

    user_id: strawberry.ID
    profile: CustomerProfile | None
    earlier_conversations: list[EarlierConversation]

    @strawberry.field(description="The customer's orders.")
    async def orders(self, info: strawberry.Info[GraphQLContext, None]) -> list[JSON]:
        """Same rules as the `orders` query."""
        from server.graphql.query import load_orders

        return await load_orders(info.context, str(self.user_id))

    @classmethod
    def of(cls, model: schemas.TranscriptCustomer) -> Customer:
        """From the REST schema."""
        profile = model.profile
        return cls(
            user_id=strawberry.ID(model.user_id),
            profile=CustomerProfile(**_fields(profile)) if profile else None,
            earlier_conversations=[
                EarlierConversation(**_fields(item)) for item in model.earlier_conversations
            ],
        )


@strawberry.type(description="A change in the handoff queue.")
class QueueChange:
    """The change's type and the queue entry it concerns."""

    type: str
    entry: QueueEntry | None


@strawberry.type(description="One event of a conversation's stream (as the SSE stream sends).")
class ConversationEvent:
    """The event's number (resume after it), its type and all its fields."""

    id: int
    type: str
    data: JSON
