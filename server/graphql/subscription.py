"""Subscriptions: the live handoff queue and one conversation's events."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from fastapi import HTTPException

from server.deps import conversation_for, require_agent
from server.graphql.context import GraphQLContext
from server.graphql.errors import from_http
from server.graphql.types import JSON, ConversationEvent, QueueChange, QueueEntry
from server.routes.queue import queue_entry

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class Subscription:
    """Live updates over WebSocket (graphql-transport-ws)."""

    @strawberry.subscription(description="Queue changes: new handoffs, claims, resolutions.")
    async def queue(self, info: Info) -> AsyncGenerator[QueueChange, None]:
        """Agents and admins only, like `GET /v1/queue/events`."""
        runtime = info.context.server
        try:
            require_agent(info.context.caller)
        except HTTPException as error:
            raise from_http(error) from None
        async for change in runtime.feed.subscribe():
            row = change.get("entry")
            entry = (
                QueueEntry.of(queue_entry(row, runtime.settings.sla_first_response_seconds))
                if isinstance(row, dict)
                else None
            )
            yield QueueChange(type=str(change.get("type", "")), entry=entry)

    @strawberry.subscription(description="A conversation's events as they happen.")
    async def conversation_events(
        self, info: Info, conversation_id: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[ConversationEvent, None]:
        """From `after` (default: from now on); the same access rules as the REST stream."""
        runtime = info.context.server
        try:
            conversation_for(runtime, str(conversation_id), info.context.caller)
        except HTTPException as error:
            raise from_http(error) from None
        start = runtime.hub.cursor(str(conversation_id)) if after is None else after
        async for seq, event in runtime.hub.follow(str(conversation_id), start, until_done=False):
            yield ConversationEvent(id=seq, type=str(event.get("type", "")), data=JSON(event))
