"""The human handoff queue: list, live updates, claim, transcript, reply, resolve, return.

Every claim, reply, resolution and return, done or refused, is appended to the audit log.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sse_starlette import EventSourceResponse

from conversations.runner import ConversationBusy
from graphs.audit import AuditEntry, Outcome
from server.auth.principal import Principal
from server.deps import Caller, RuntimeDep, conversation_for, require_agent
from server.openapi_docs import problem_responses
from server.problems import ApiError
from server.routes.conversations import ERRORS, SSE_RESPONSE
from server.routes.streaming import sse_response
from server.runtime import ServerRuntime
from server.schemas import (
    AgentClose,
    AgentMessage,
    CustomerConversation,
    QueueEntry,
    Transcript,
    TranscriptCustomer,
    TranscriptEvent,
)
from server.transcript import conversation_state, customer_view, transcript_messages

router = APIRouter(prefix="/v1/queue", tags=["handoff queue"])

Status = Literal["waiting", "claimed", "resolved", "returned"]
View = Literal["open", "mine", "unassigned", "resolved", "all"]
VIEW_STATUSES: dict[str, tuple[str, ...]] = {
    "open": ("waiting", "claimed"),
    "mine": ("claimed",),
    "unassigned": ("waiting",),
    "resolved": ("resolved", "returned"),
    "all": ("waiting", "claimed", "resolved", "returned"),
}
SEARCHED_FIELDS = (
    "conversation_id",
    "customer_id",
    "order_id",
    "summary",
    "last_message",
    "claimed_by",
    "tags",
)
CONFLICT = problem_responses(409)
CUSTOMER_CONVERSATIONS = 20
"""The customer's conversations (every channel) listed with a transcript."""


def queue_entry(row: dict[str, Any], sla_seconds: int) -> QueueEntry:
    """A queue row with waiting time and SLA state (first response within `sla_seconds`)."""
    now = time.time()
    responded = row.get("first_response_at")
    waited = (responded or now) - row["created_at"]
    if responded:
        sla = "met" if waited <= sla_seconds else "breached"
    elif waited > sla_seconds:
        sla = "breached"
    elif waited > 0.8 * sla_seconds:
        sla = "at_risk"
    else:
        sla = "ok"
    labels = {"tags": json.loads(row["tags"]) if row.get("tags") else [], "priority": "normal"}
    if row.get("priority"):
        labels["priority"] = row["priority"]
    return QueueEntry(**{**row, **labels, "waiting_seconds": round(waited, 3), "sla_state": sla})


def requeue_stale_claims(runtime: ServerRuntime) -> list[str]:
    """Put claims left unanswered past the claim timeout back to `waiting`; return their ids.

    Each release is conditional (still claimed, by the same agent, still unanswered), so a
    reply racing the sweep keeps its claim. Each requeue is announced and audited.
    """
    timeout = runtime.settings.claim_timeout_seconds
    if not timeout:
        return []
    cutoff = time.time() - timeout
    released = []
    for row in runtime.store.list_handoffs(("claimed",)):
        stale = row["first_response_at"] is None and (row["claimed_at"] or cutoff) < cutoff
        if not stale or not runtime.store.release_claim(
            row["conversation_id"], row["claimed_by"], claimed_before=cutoff
        ):
            continue
        released.append(row["conversation_id"])
        runtime.audit.append(
            AuditEntry(
                actor="system",
                role="admin",
                action="queue.requeue",
                conversation_id=row["conversation_id"],
                outcome="ok",
                detail={"agent": row["claimed_by"], "timeout_seconds": timeout},
            )
        )
        entry = runtime.store.get_handoff(row["conversation_id"])
        runtime.feed.publish({"type": "queue_update", "change": "requeued", "entry": entry})
    return released


def _entry_or_404(runtime: ServerRuntime, conversation_id: str) -> dict[str, Any]:
    row = runtime.store.get_handoff(conversation_id)
    if row is None:
        raise ApiError(404, "not_in_queue", f"Conversation {conversation_id} was never handed off.")
    return row


def _require_owner(row: dict[str, Any], caller: Principal) -> None:
    if row["status"] != "claimed":
        raise ApiError(409, "not_claimed", "Claim the conversation before acting on it.")
    if row["claimed_by"] != caller.sub and not caller.is_admin:
        raise ApiError(
            403, "claimed_by_other", f"This conversation is being handled by {row['claimed_by']}."
        )


def audit_agent_action(
    runtime: ServerRuntime,
    caller: Principal,
    action: str,
    conversation_id: str,
    outcome: Outcome,
    **detail: Any,
) -> None:
    """Append an agent's queue action (`queue.<action>`) to the audit log."""
    runtime.audit.append(
        AuditEntry(
            actor=caller.sub,
            role=caller.role,
            action=f"queue.{action}",
            conversation_id=conversation_id,
            outcome=outcome,
            detail=detail,
        )
    )


@router.get("", responses=ERRORS)
async def list_queue(
    caller: Caller,
    runtime: RuntimeDep,
    status: Annotated[list[Status], Query(description="Default: waiting and claimed.")] = [],  # noqa: B006
    reason: Annotated[str, Query(max_length=64, description="Only this handoff reason.")] = "",
    sort: Annotated[Literal["waiting_time", "sentiment"], Query()] = "waiting_time",
    view: Annotated[View, Query(description="Used when no status is given.")] = "open",
    q: Annotated[
        str,
        Query(
            max_length=200,
            description="Only entries whose customer, order id, summary, latest message, "
            "agent or tags contain this text (any case).",
        ),
    ] = "",
) -> list[QueueEntry]:
    """Handed-off conversations with reason, intent, sentiment, waiting time and SLA state.

    Unanswered claims older than the claim timeout go back to the queue first.
    """
    require_agent(caller)
    await asyncio.to_thread(requeue_stale_claims, runtime)
    rows = runtime.store.list_handoffs(tuple(status or VIEW_STATUSES[view]), reason or None)
    if view == "mine" and not status:
        rows = [row for row in rows if row["claimed_by"] == caller.sub]
    needle = q.strip().casefold()
    if needle:
        rows = [
            row
            for row in rows
            if any(needle in str(row.get(f) or "").casefold() for f in SEARCHED_FIELDS)
        ]
    entries = [queue_entry(row, runtime.settings.sla_first_response_seconds) for row in rows]
    if view == "resolved" and not status:
        entries.sort(key=lambda e: -(e.resolved_at or 0.0))
    elif sort == "sentiment":
        entries.sort(key=lambda e: e.sentiment_score if e.sentiment_score is not None else 0.0)
    else:
        entries.sort(key=lambda e: -e.waiting_seconds)
    return entries


@router.get("/events", response_class=EventSourceResponse, responses={**SSE_RESPONSE, **ERRORS})
async def queue_events(caller: Caller, runtime: RuntimeDep) -> EventSourceResponse:
    """Live queue changes (new handoffs, claims, replies, resolutions) without polling."""
    require_agent(caller)

    async def numbered() -> AsyncIterator[tuple[int, dict[str, Any]]]:
        seq = 0
        async for change in runtime.feed.subscribe():
            seq += 1
            yield seq, change

    return sse_response(numbered())


@router.post("/{conversation_id}/claim", responses={**ERRORS, **CONFLICT})
async def claim(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> QueueEntry:
    """Take the conversation; of two agents claiming at once exactly one wins."""
    require_agent(caller)
    row = _entry_or_404(runtime, conversation_id)
    if not runtime.store.claim(conversation_id, caller.sub):
        row = _entry_or_404(runtime, conversation_id)
        holder = row.get("claimed_by") or "nobody"
        audit_agent_action(
            runtime, caller, "claim", conversation_id, "refused", code="already_claimed"
        )
        raise ApiError(409, "already_claimed", f"Status is {row['status']}; claimed by {holder}.")
    audit_agent_action(runtime, caller, "claim", conversation_id, "ok")
    row = _entry_or_404(runtime, conversation_id)
    runtime.feed.publish({"type": "queue_update", "entry": row})
    return queue_entry(row, runtime.settings.sla_first_response_seconds)


@router.get("/{conversation_id}/transcript", responses=ERRORS)
async def transcript(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> Transcript:
    """The full transcript with tool calls, sources and the AI's handoff notes."""
    require_agent(caller)
    record = conversation_for(runtime, conversation_id, caller)
    values, _ = await conversation_state(runtime, conversation_id)
    events = runtime.store.events_after(
        conversation_id, 0, types=("tool", "handoff", "agent_message", "error")
    )
    row = runtime.store.get_handoff(conversation_id)
    return Transcript(
        conversation_id=conversation_id,
        messages=await transcript_messages(runtime, conversation_id),
        events=[TranscriptEvent(seq=seq, type=e["type"], data=e) for seq, e in events],
        passages=[dict(p) for p in values.get("passages") or []],
        queue=queue_entry(row, runtime.settings.sla_first_response_seconds) if row else None,
        customer=await _customer(runtime, conversation_id, record, values),
    )


async def _customer(
    runtime: ServerRuntime, conversation_id: str, record: dict[str, Any], values: dict[str, Any]
) -> TranscriptCustomer | None:
    """The customer block: the identified customer, else the conversation's signed-in one."""
    identified = values.get("customer") or {}
    customer_id = identified.get("user_id") or record.get("customer_id")
    if runtime.memory is None or not customer_id:
        return None
    tenant = runtime.services.tenant(runtime.context_for(customer_id))
    view = await asyncio.to_thread(
        customer_view, runtime.memory, tenant, customer_id, conversation_id
    )
    records = await asyncio.to_thread(
        runtime.store.list_conversations, customer_id, CUSTOMER_CONVERSATIONS, 0
    )
    view.conversations = [
        CustomerConversation(
            conversation_id=r["id"],
            channel=r["channel"],
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )
        for r in records
    ]
    return view


async def _act(
    runtime: ServerRuntime, conversation_id: str, caller: Principal, action: str, text: str
) -> QueueEntry:
    require_agent(caller)
    try:
        entry, done = await _act_unaudited(runtime, conversation_id, caller, action, text)
    except ApiError as error:
        detail: Any = error.detail
        audit_agent_action(
            runtime, caller, action, conversation_id, "refused", code=detail.get("code")
        )
        raise
    outcome: Outcome = "ok" if done.get("type") == "done" else "failed"
    audit_agent_action(runtime, caller, action, conversation_id, outcome, chars=len(text))
    return entry


async def _act_unaudited(
    runtime: ServerRuntime, conversation_id: str, caller: Principal, action: str, text: str
) -> tuple[QueueEntry, dict[str, Any]]:
    row = _entry_or_404(runtime, conversation_id)
    _require_owner(row, caller)
    _, waiting = await conversation_state(runtime, conversation_id)
    if not waiting:
        raise ApiError(409, "not_waiting", "The conversation is not waiting for a person.")
    conversation = conversation_for(runtime, conversation_id, caller)
    context = runtime.context_for(conversation["customer_id"])
    try:
        done = await runtime.runner.resume_with_agent(
            conversation_id, action, text, caller.name, context
        )
    except ConversationBusy:
        raise ApiError(409, "turn_in_progress", "A turn is running; retry shortly.") from None
    entry = queue_entry(
        _entry_or_404(runtime, conversation_id), runtime.settings.sla_first_response_seconds
    )
    return entry, done


@router.post("/{conversation_id}/reply", responses={**ERRORS, **CONFLICT})
async def reply(
    conversation_id: str, body: AgentMessage, caller: Caller, runtime: RuntimeDep
) -> QueueEntry:
    """Post the agent's message to the customer; the agent keeps the conversation."""
    return await _act(runtime, conversation_id, caller, "reply", body.text)


@router.post("/{conversation_id}/resolve", responses={**ERRORS, **CONFLICT})
async def resolve(
    conversation_id: str, body: AgentClose, caller: Caller, runtime: RuntimeDep
) -> QueueEntry:
    """Close the case, optionally with a last message."""
    return await _act(runtime, conversation_id, caller, "resolve", body.text)


@router.post("/{conversation_id}/return", responses={**ERRORS, **CONFLICT})
async def return_to_bot(
    conversation_id: str, body: AgentClose, caller: Caller, runtime: RuntimeDep
) -> QueueEntry:
    """Give the conversation back to the bot, optionally with a last message."""
    return await _act(runtime, conversation_id, caller, "return_to_bot", body.text)


@router.post("/{conversation_id}/typing", status_code=204, responses={**ERRORS, **CONFLICT})
async def typing(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> Response:
    """Show the customer that the agent holding the conversation is writing.

    The customer's stream gets a live-only `agent_typing` event (never stored or replayed).
    Consoles send it at most every few seconds while the composer changes. While a turn
    runs on the conversation the indicator is skipped: the turn is the news then.
    """
    require_agent(caller)
    _require_owner(_entry_or_404(runtime, conversation_id), caller)
    lock = await runtime.runner.claim(conversation_id)
    if lock is not None:
        try:
            event = {"type": "agent_typing", "agent": caller.name}
            await runtime.hub.publish(conversation_id, event)
        finally:
            await runtime.runner.release(conversation_id, lock)
    return Response(status_code=204)
