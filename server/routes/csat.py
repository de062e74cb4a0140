"""The customer's one-tap satisfaction rating (CSAT) of a conversation."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server.deps import Caller, RuntimeDep, conversation_for
from server.openapi_docs import AUTHENTICATED, problem_responses
from server.problems import ApiError

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
ERRORS = problem_responses(*AUTHENTICATED, 404, 422)


class CsatAnswer(BaseModel):
    """A rating from 1 (very unsatisfied) to 5 (very satisfied)."""

    score: Annotated[
        int, Field(ge=1, le=5, description="1 (very unsatisfied) to 5 (very satisfied).")
    ]


def _owned(runtime: Any, conversation_id: str, caller: Any) -> dict[str, Any]:
    if caller.role != "customer":
        raise ApiError(403, "forbidden_role", "Only the conversation's customer rates it.")
    return conversation_for(runtime, conversation_id, caller)


@router.put("/{conversation_id}/csat", responses=ERRORS)
async def rate_conversation(
    conversation_id: str, answer: CsatAnswer, caller: Caller, runtime: RuntimeDep
) -> dict[str, Any]:
    """Record (or change) the customer's rating of the conversation; the dashboard reports it."""
    conversation = _owned(runtime, conversation_id, caller)
    await asyncio.to_thread(
        runtime.store.record_csat, conversation_id, answer.score, conversation["customer_id"]
    )
    return {"conversation_id": conversation_id, "score": answer.score}


@router.get("/{conversation_id}/csat", responses=ERRORS)
async def get_rating(conversation_id: str, caller: Caller, runtime: RuntimeDep) -> dict[str, Any]:
    """The customer's rating of the conversation (`score` is null when not rated yet)."""
    _owned(runtime, conversation_id, caller)
    found = await asyncio.to_thread(runtime.store.get_csat, conversation_id)
    return {"conversation_id": conversation_id, "score": found["score"] if found else None}
