"""The audit log for admins: `GET /v1/admin/audit`, filtered, paged, or exported whole.

`format=json` (default) answers one page and the cursor of the next; `format=jsonl` and
`format=csv` stream every matching entry from the cursor on, as a file download.
"""

from __future__ import annotations

import asyncio
from itertools import chain
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from conversations.audit_log import CURSOR_PATTERN, AuditQuery, all_entries, to_csv, to_jsonl
from server.deps import Caller, RuntimeDep
from server.openapi_docs import problem_responses
from server.problems import ApiError

router = APIRouter(prefix="/v1/admin", tags=["audit"])

END_OF_TIME = 1e11
"""Times are seconds since the epoch below this (the default `until`: no bound)."""

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


class AuditItem(BaseModel):
    """One audited action."""

    id: str = Field(description="The entry's position in the log (opaque).")
    at: float = Field(description="When, in seconds since the epoch.")
    actor: str = Field(description="Who: the customer's user id or the agent's subject.")
    role: str
    action: str = Field(description="What, e.g. `order.cancel_pending_order`, `queue.claim`.")
    conversation_id: str | None
    outcome: Literal["ok", "failed", "refused"]
    detail: dict[str, Any]


class AuditPage(BaseModel):
    """A page of the audit log, oldest first."""

    items: list[AuditItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


@router.get(
    "/audit",
    responses={
        **problem_responses(400, 401, 403, 422),
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            }
        },
    },
)
async def read_audit(
    caller: Caller,
    runtime: RuntimeDep,
    actor: Annotated[str, Query(max_length=120, description="Only this actor.")] = "",
    action: Annotated[str, Query(max_length=80, description="Only this action.")] = "",
    conversation_id: Annotated[str, Query(max_length=80)] = "",
    outcome: Annotated[Literal["", "ok", "failed", "refused"], Query()] = "",
    since: Annotated[float, Query(ge=0, le=END_OF_TIME, description="From this time.")] = 0,
    until: Annotated[
        float, Query(ge=0, le=END_OF_TIME, description="Before this time.")
    ] = END_OF_TIME,
    cursor: Annotated[
        str, Query(pattern=r"^$|" + CURSOR_PATTERN, description="A page's `next_cursor`.")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Annotated[Literal["json", "jsonl", "csv"], Query()] = "json",
) -> Any:
    """Audited order and agent actions (admins only)."""
    if not caller.is_admin:
        raise ApiError(403, "forbidden_role", "Only admins can read the audit log.")
    query = AuditQuery(
        actor=actor or None,
        action=action or None,
        conversation_id=conversation_id or None,
        outcome=outcome or None,
        since=since or None,
        until=until if until < END_OF_TIME else None,
    )
    try:
        items, next_cursor = await asyncio.to_thread(
            runtime.audit.page, query, cursor or None, limit
        )
    except ValueError as error:
        raise ApiError(400, "bad_cursor", str(error)) from None
    if format == "json":
        return AuditPage(items=[AuditItem(**item) for item in items], next_cursor=next_cursor)
    rest = all_entries(runtime.audit, query, next_cursor) if next_cursor is not None else ()
    entries = chain(items, rest)
    body = to_csv(entries) if format == "csv" else to_jsonl(entries)
    return StreamingResponse(
        body,
        media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="audit.{format}"'},
    )
