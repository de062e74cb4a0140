"""Customer chat: create conversations, post messages (SSE), history, resume streams."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from sse_starlette import EventSourceResponse

from conversations.runner import ConversationBusy
from graphs.turns import new_conversation_id
from server.deps import Caller, RuntimeDep, conversation_for
from server.openapi_docs import AUTHENTICATED, problem_responses
from server.problems import ApiError
from server.routes.attachments import attached_refs
from server.routes.client_messages import accepted_once
from server.routes.streaming import MAX_EVENT_ID, resume_cursor, sse_batch_response
from server.schemas import (
    Conversation,
    ConversationPage,
    CreateConversation,
    MessagePage,
    PostMessage,
)
from server.transcript import conversation_view, transcript_messages

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])

ERRORS = problem_responses(*AUTHENTICATED, 404)
SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: token, tool, status, handoff, agent_message, "
        "customer_message, done, error. Each has `id:` (resume with Last-Event-ID).",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@router.post("", status_code=status.HTTP_201_CREATED, responses=ERRORS)
async def create_conversation(
    body: CreateConversation, caller: Caller, runtime: RuntimeDep
) -> Conversation:
    """Start a conversation owned by the calling customer (or, for staff, the given one)."""
    if caller.role == "customer":
        if body.customer_id not in (None, caller.customer_id):
            raise ApiError(
                403, "forbidden_customer", "Customers open conversations for themselves."
            )
        customer_id = caller.customer_id
    else:
        customer_id = body.customer_id
    record = runtime.store.create_conversation(new_conversation_id(), customer_id, body.channel)
    return await conversation_view(runtime, record)


@router.get("", responses=ERRORS)
async def list_conversations(
    caller: Caller,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ConversationPage:
    """The caller's conversations (customers) or all of them (admins), newest first."""
    if caller.role == "agent":
        raise ApiError(403, "forbidden_role", "Agents list conversations through the queue.")
    owner = None if caller.is_admin else caller.customer_id
    records = runtime.store.list_conversations(owner, limit + 1, offset)
    items = [await conversation_view(runtime, record) for record in records[:limit]]
    return ConversationPage(
        items=items, next_offset=offset + limit if len(records) > limit else None
    )


@router.get("/{conversation_id}", responses=ERRORS)
async def get_conversation(
    conversation_id: str, caller: Caller, runtime: RuntimeDep
) -> Conversation:
    """A conversation's metadata: handoff status, intent, message count, stream cursor."""
    return await conversation_view(runtime, conversation_for(runtime, conversation_id, caller))


@router.get("/{conversation_id}/messages", responses=ERRORS)
async def list_messages(
    conversation_id: str,
    caller: Caller,
    runtime: RuntimeDep,
    cursor: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    """The transcript, oldest first, one page at a time."""
    conversation_for(runtime, conversation_id, caller)
    transcript = await transcript_messages(runtime, conversation_id)
    messages = [m for m in transcript if m.index >= cursor]
    page = messages[:limit]
    more = len(messages) > limit
    return MessagePage(items=page, next_cursor=messages[limit].index if more else None)


@router.post(
    "/{conversation_id}/messages",
    response_class=EventSourceResponse,
    responses={
        **SSE_RESPONSE,
        **ERRORS,
        **problem_responses(409),
    },
)
async def post_message(
    conversation_id: str, body: PostMessage, caller: Caller, runtime: RuntimeDep
) -> EventSourceResponse:
    """Send the customer's message and stream the turn's events until it is done.

    If the client disconnects, the turn keeps running; reconnect to `GET .../events` with
    the last received event id to get the rest.
    """
    conversation = conversation_for(runtime, conversation_id, caller)
    if caller.role != "customer" and not caller.is_admin:
        raise ApiError(403, "forbidden_role", "Agents reply through the handoff queue.")
    context = runtime.context_for(conversation["customer_id"])
    refs = await attached_refs(runtime, conversation_id, body.attachments)
    with accepted_once(runtime, conversation_id, body.client_message_id) as fresh:
        if not fresh:
            raise ApiError(409, "duplicate_message", "This message was already received.")
        try:
            cursor = await runtime.runner.start_customer_turn(
                conversation_id, body.text, conversation["channel"], context, refs
            )
        except ConversationBusy:
            raise ApiError(
                409,
                "turn_in_progress",
                "The previous message is still being answered; retry shortly.",
            ) from None
    return sse_batch_response(runtime.hub.follow_batches(conversation_id, cursor, until_done=True))


@router.get(
    "/{conversation_id}/events",
    response_class=EventSourceResponse,
    responses={**SSE_RESPONSE, **ERRORS, **problem_responses(400)},
)
async def follow_events(
    conversation_id: str,
    request: Request,
    caller: Caller,
    runtime: RuntimeDep,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_EVENT_ID, description="Resume after this event id.")
    ] = None,
    until_done: Annotated[bool, Query(description="Close the stream after the next done.")] = False,
) -> EventSourceResponse:
    """Follow the conversation live: the rest of a turn after a reconnect, agent messages."""
    conversation_for(runtime, conversation_id, caller)
    cursor = resume_cursor(request, after)
    start = runtime.hub.cursor(conversation_id) if cursor is None else cursor
    return sse_batch_response(
        runtime.hub.follow_batches(conversation_id, start, until_done=until_done)
    )
