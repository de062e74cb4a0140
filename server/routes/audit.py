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
    actor: Annotated[str | None, Query(max_length=120)] = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    conversation_id: Annotated[str | None, Query(max_length=80)] = None,
    outcome: Annotated[Literal["ok", "failed", "refused"] | None, Query()] = None,
    since: Annotated[float | None, Query(ge=0, le=1e11, description="From this time.")] = None,
    until: Annotated[float | None, Query(ge=0, le=1e11, description="Before this time.")] = None,
    cursor: Annotated[
        str | None, Query(pattern=CURSOR_PATTERN, description="A page's `next_cursor`.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Annotated[Literal["json", "jsonl", "csv"], Query()] = "json",
) -> Any:
    """Audited order and agent actions (admins only)."""
    if not caller.is_admin:
        raise ApiError(403, "forbidden_role", "Only admins can read the audit log.")
    query = AuditQuery(actor, action, conversation_id, outcome, since, until)
    try:
        items, next_cursor = await asyncio.to_thread(runtime.audit.page, query, cursor, limit)
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
