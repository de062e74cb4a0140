"""The agent workspace around a queue entry.

Unclaim, reassign, admin take-over, internal notes, tags and priority.
Every assignment change is audited and announced on the queue feed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter

from graphs.handover_model import model_handover
from server.auth.principal import Principal
from server.deps import Caller, RuntimeDep, require_agent
from server.problems import ApiError
from server.routes.conversations import ERRORS
from server.routes.queue import CONFLICT, _entry_or_404, audit_agent_action, queue_entry
from server.runtime import ServerRuntime
from server.schemas import QueueEntry
from server.schemas_workspace import Handover, Labels, Note, NoteIn, Reassign
from server.transcript import transcript_messages

router = APIRouter(prefix="/v1/queue", tags=["handoff queue"])
logger = logging.getLogger("tandem.server")


def _changed(
    runtime: ServerRuntime, caller: Principal, action: str, conversation_id: str, **detail: Any
) -> QueueEntry:
    """Audit a done change, announce it on the queue feed and return the fresh entry."""
    audit_agent_action(runtime, caller, action, conversation_id, "ok", **detail)
    row = _entry_or_404(runtime, conversation_id)
    runtime.feed.publish({"type": "queue_update", "change": action, "entry": row})
    return queue_entry(row, runtime.settings.sla_first_response_seconds)


def _refused(
    runtime: ServerRuntime, caller: Principal, action: str, conversation_id: str
) -> ApiError:
    """Audit a refused assignment change and explain who holds the entry now."""
    row = _entry_or_404(runtime, conversation_id)
    if row["status"] != "claimed":
        code, detail = "not_claimed", f"Status is {row['status']}; nobody holds it."
    else:
        code, detail = "claimed_by_other", f"This conversation is held by {row['claimed_by']}."
    audit_agent_action(runtime, caller, action, conversation_id, "refused", code=code)
    return ApiError(409, code, detail)


@router.post("/{conversation_id}/unclaim", responses={**ERRORS, **CONFLICT})
async def unclaim(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> QueueEntry:
    """Put the conversation back in the queue (its holder, or an admin for anyone)."""
    require_agent(caller)
    _entry_or_404(runtime, conversation_id)
    holder = None if caller.is_admin else caller.sub
    if not runtime.store.release_claim(conversation_id, holder):
        raise _refused(runtime, caller, "unclaim", conversation_id)
    return _changed(runtime, caller, "unclaim", conversation_id)


@router.post("/{conversation_id}/reassign", responses={**ERRORS, **CONFLICT})
async def reassign(
    conversation_id: str, body: Reassign, caller: Caller, runtime: RuntimeDep
) -> QueueEntry:
    """Hand a claimed conversation to another agent (its holder, or an admin for anyone)."""
    require_agent(caller)
    _entry_or_404(runtime, conversation_id)
    holder = None if caller.is_admin else caller.sub
    if not runtime.store.reassign(conversation_id, holder, body.agent):
        raise _refused(runtime, caller, "reassign", conversation_id)
    return _changed(runtime, caller, "reassign", conversation_id, to=body.agent)


@router.post("/{conversation_id}/takeover", responses={**ERRORS, **CONFLICT})
async def takeover(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> QueueEntry:
    """An admin takes the conversation, whoever holds it (or claims it while it waits)."""
    require_agent(caller)
    if not caller.is_admin:
        raise ApiError(403, "forbidden_role", "Only admins can take a conversation over.")
    row = _entry_or_404(runtime, conversation_id)
    won = runtime.store.reassign(conversation_id, None, caller.sub) or runtime.store.claim(
        conversation_id, caller.sub
    )
    if not won:
        raise _refused(runtime, caller, "takeover", conversation_id)
    return _changed(runtime, caller, "takeover", conversation_id, previous=row["claimed_by"])


@router.get("/{conversation_id}/notes", responses=ERRORS)
async def notes(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> list[Note]:
    """The internal notes on the conversation, oldest first (agents only)."""
    require_agent(caller)
    _entry_or_404(runtime, conversation_id)
    return [Note(**note) for note in runtime.store.list_notes(conversation_id)]


@router.post("/{conversation_id}/notes", status_code=201, responses=ERRORS)
async def add_note(conversation_id: str, body: NoteIn, caller: Caller, runtime: RuntimeDep) -> Note:
    """Add an internal note; it is never sent to the customer or to the model."""
    require_agent(caller)
    entry = _entry_or_404(runtime, conversation_id)  # a note leaves the entry as it is
    note = runtime.store.add_note(conversation_id, caller.sub, body.text.strip())
    audit_agent_action(runtime, caller, "note", conversation_id, "ok", chars=len(body.text))
    runtime.feed.publish({"type": "queue_update", "change": "note", "entry": entry})
    return Note(**note)


@router.patch("/{conversation_id}/labels", responses=ERRORS)
async def set_labels(
    conversation_id: str, body: Labels, caller: Caller, runtime: RuntimeDep
) -> QueueEntry:
    """Set the entry's tags and/or priority."""
    require_agent(caller)
    _entry_or_404(runtime, conversation_id)
    runtime.store.set_labels(conversation_id, body.clean_tags(), body.priority)
    return _changed(
        runtime, caller, "labels", conversation_id, tags=body.clean_tags(), priority=body.priority
    )


@router.post("/{conversation_id}/handover", responses=ERRORS)
async def handover(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> Handover:
    """The handover note, by the chat model when one is configured.

    Without a model, or when its answer is unusable, the note built from the facts.
    """
    require_agent(caller)
    row = _entry_or_404(runtime, conversation_id)
    facts = Handover(
        summary=row.get("summary") or "",
        suggested_reply=row.get("suggested_reply") or "",
        source="facts",
    )
    context = runtime.context_for(row.get("customer_id"))
    model = runtime.services.chat_model_for(context)
    if model is None:
        return facts
    lines = [(m.role, m.text) for m in await transcript_messages(runtime, conversation_id)]
    try:
        written = await asyncio.to_thread(model_handover, model, lines, facts.summary)
    except Exception as error:  # the model is optional here: the facts still serve
        logger.warning("model handover failed for %s: %s", conversation_id, error)
        return facts
    if written is None:
        return facts
    return Handover(summary=written["summary"], suggested_reply=written["reply"], source="model")
