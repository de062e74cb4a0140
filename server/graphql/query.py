"""Queries: each calls the REST route's own function, so the rules are the same ones."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import strawberry
from fastapi import HTTPException

from server.auth.dependencies import ensure_customer_access
from server.graphql.context import GraphQLContext
from server.graphql.errors import call, from_http, graphql_error
from server.graphql.types import (
    JSON,
    Conversation,
    ConversationPage,
    Customer,
    MessagePage,
    QueueEntry,
)
from server.routes import conversations, metrics, orders, queue
from server.transcript import customer_view

Info = strawberry.Info[GraphQLContext, None]
QUEUE_STATUSES = ("waiting", "claimed", "resolved", "returned")


def _bounded(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise graphql_error("invalid_argument", f"{name} must be between {low} and {high}.")
    return value


async def load_messages(
    context: GraphQLContext, conversation_id: str, cursor: int, limit: int
) -> MessagePage:
    """A page of a conversation's transcript (the REST `GET .../messages`)."""
    page = await call(
        conversations.list_messages(
            conversation_id,
            context.caller,
            context.server,
            _bounded("cursor", cursor, 0, 1_000_000),
            _bounded("limit", limit, 1, 200),
        )
    )
    return MessagePage.of(page)


async def load_orders(context: GraphQLContext, customer_id: str) -> list[Any]:
    """A customer's orders (the REST `GET /v1/customers/{id}/orders`)."""
    return await call(orders.list_orders(customer_id, context.caller, context.server))


@strawberry.type
class Query:
    """What integrators can read."""

    @strawberry.field(description="The caller's conversations (admins: all), newest first.")
    async def conversations(self, info: Info, limit: int = 20, offset: int = 0) -> ConversationPage:
        """Customers see their own; agents use the queue instead."""
        page = await call(
            conversations.list_conversations(
                info.context.caller,
                info.context.server,
                _bounded("limit", limit, 1, 100),
                _bounded("offset", offset, 0, 100_000),
            )
        )
        return ConversationPage(
            items=[Conversation.of(item) for item in page.items], next_offset=page.next_offset
        )

    @strawberry.field(description="One conversation; null when missing or not the caller's.")
    async def conversation(self, info: Info, id: strawberry.ID) -> Conversation | None:
        """Another customer's conversation is answered exactly like a missing one."""
        try:
            view = await conversations.get_conversation(
                str(id), info.context.caller, info.context.server
            )
        except HTTPException as error:
            if error.status_code == 404:
                return None
            raise from_http(error) from None
        return Conversation.of(view)

    @strawberry.field(description="A conversation's transcript, oldest first.")
    async def messages(
        self, info: Info, conversation_id: strawberry.ID, cursor: int = 0, limit: int = 50
    ) -> MessagePage:
        """The same page REST's `GET /v1/conversations/{id}/messages` answers."""
        return await load_messages(info.context, str(conversation_id), cursor, limit)

    @strawberry.field(description="The handoff queue (agents and admins).")
    async def queue(
        self,
        info: Info,
        status: list[str] | None = None,
        reason: str = "",
        sort: str = "waiting_time",
        view: str = "open",
        q: str = "",
    ) -> list[QueueEntry]:
        """Default: waiting and claimed, longest waiting first (`sort: "sentiment"`).

        `view` and `q` work as on `GET /v1/queue` (mine, unassigned, resolved, all; search).
        """
        unknown = [s for s in status or [] if s not in QUEUE_STATUSES]
        bad_view = view not in queue.VIEW_STATUSES or len(q) > 200
        if unknown or sort not in ("waiting_time", "sentiment") or len(reason) > 64 or bad_view:
            raise graphql_error(
                "invalid_argument",
                f"status is one of {', '.join(QUEUE_STATUSES)}; sort is waiting_time or "
                f"sentiment; view is one of {', '.join(queue.VIEW_STATUSES)}; reason has at "
                "most 64 characters and q at most 200.",
            )
        entries = await call(
            queue.list_queue(
                info.context.caller,
                info.context.server,
                status or [],  # type: ignore[arg-type]
                reason,
                sort,  # type: ignore[arg-type]
                view,  # type: ignore[arg-type]
                q,
            )
        )
        return [QueueEntry.of(entry) for entry in entries]

    @strawberry.field(description="A customer's remembered profile and earlier conversations.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer:
        """Customers may read only themselves; agents and admins anyone."""
        caller, runtime = info.context.caller, info.context.server
        try:
            ensure_customer_access(caller, str(id))
        except HTTPException as error:
            raise from_http(error) from None
        if runtime.memory is None:
            return Customer(user_id=id, profile=None, earlier_conversations=[])
        tenant = runtime.services.tenant(runtime.context_for(str(id)))
        view = await asyncio.to_thread(customer_view, runtime.memory, tenant, str(id), "")
        return Customer.of(view)

    @strawberry.field(description="One order; null for a customer when it is not theirs.")
    async def order(self, info: Info, id: strawberry.ID) -> JSON | None:
        """Missing orders and other customers' orders are answered alike."""
        try:
            return JSON(await orders.get_order(str(id), info.context.caller, info.context.server))
        except HTTPException as error:
            if error.status_code == 404:
                return None
            raise from_http(error) from None

    @strawberry.field(description="A customer's orders; customers may list only their own.")
    async def orders(self, info: Info, customer_id: strawberry.ID) -> list[JSON]:
        """The same list REST's `GET /v1/customers/{id}/orders` answers."""
        return await load_orders(info.context, str(customer_id))

    @strawberry.field(description="The manager dashboard's figures (agents and admins).")
    async def metrics(
        self, info: Info, start: datetime | None = None, end: datetime | None = None
    ) -> JSON:
        """Volume, containment, handoffs, sentiment, SLA and latency over the range."""
        figures = await call(
            metrics.dashboard(info.context.caller, info.context.server, start, end)
        )
        return JSON(figures)
