"""The manager dashboard's figures over a date range, their drill-down and CSV (agents, admins)."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic.json_schema import SkipJsonSchema

from server.deps import Caller, RuntimeDep, require_agent
from server.metrics import DAY, HOUR, Window, dashboard_metrics, drill_down
from server.metrics_facts import OUTCOMES
from server.openapi_docs import AUTHENTICATED, problem_responses
from server.problems import ApiError

router = APIRouter(prefix="/v1/metrics", tags=["dashboard"])

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 7
CSV_COLUMNS = (
    "conversation_id",
    "customer_id",
    "started_at",
    "outcome",
    "messages",
    "identified",
    "handoffs",
    "agent",
    "resolved_by_person",
    "returned_to_bot",
    "reopened",
    "first_contact_resolved",
    "bot_turns",
    "fallback_turns",
    "intents",
    "csat",
)
RANGE_ERRORS = problem_responses(*AUTHENTICATED, 422)

StartQuery = Annotated[
    datetime | SkipJsonSchema[None],
    Query(description="Range start (ISO 8601; default: 7 days before the end)."),
]
EndQuery = Annotated[
    datetime | SkipJsonSchema[None],
    Query(description="Range end, exclusive (ISO 8601; default: now)."),
]


def _epoch(value: datetime) -> float:
    """Seconds since the epoch; a time without a zone is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def report_window(start: datetime | None, end: datetime | None, now: float) -> Window:
    """The range asked for; a start after the end is refused with a 422 problem.

    A range shorter than an hour is widened to one hour; one longer than 366 days keeps its
    most recent 366 days (the answer's `start` and `end` say what was used).
    """
    until = _epoch(end) if end else now
    since = _epoch(start) if start else until - DEFAULT_RANGE_DAYS * DAY
    if since >= until:
        raise ApiError(
            422,
            "reversed_range",
            "The range's start must be before its end"
            f" (start {datetime.fromtimestamp(since, UTC).isoformat()},"
            f" end {datetime.fromtimestamp(until, UTC).isoformat()}).",
        )
    until = max(until, since + HOUR)
    return Window(max(since, until - MAX_RANGE_DAYS * DAY), until)


@router.get("/dashboard", responses=RANGE_ERRORS)
async def dashboard(
    caller: Caller, runtime: RuntimeDep, start: StartQuery = None, end: EndQuery = None
) -> dict[str, Any]:
    """The dashboard's figures for the range, bucketed by hour or day.

    Volume; outcomes (contained, handed off, abandoned) and their rates; the open queue now;
    handoff reasons; intents and the bot's fallback rate; sentiment trend; first-response
    and resolution times against the SLA (open handoffs past it count as breaches); CSAT;
    first-contact resolution and reopen rates; per-agent performance; turn latency. Every
    figure is defined in `definitions`.
    """
    require_agent(caller)
    now = time.time()
    window = report_window(start, end, now)
    settings = runtime.settings
    analyzer = runtime.services.sentiment
    return await asyncio.to_thread(
        dashboard_metrics,
        runtime.store,
        window,
        settings.sla_first_response_seconds,
        settings.sla_resolution_seconds,
        lambda text: float(analyzer.analyze(text).score),
        now,
    )


@router.get(
    "/conversations",
    responses={**RANGE_ERRORS, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def conversations(
    caller: Caller,
    runtime: RuntimeDep,
    start: StartQuery = None,
    end: EndQuery = None,
    outcome: Annotated[
        Literal["contained", "handed_off", "abandoned"] | SkipJsonSchema[None],
        Query(description="Only conversations with this outcome."),
    ] = None,
    bucket: Annotated[
        float | SkipJsonSchema[None],
        Query(description="Only conversations started in the bucket starting at this time."),
    ] = None,
    format: Annotated[
        Literal["json", "csv"], Query(description="`csv` downloads the rows as a CSV file.")
    ] = "json",
) -> Any:
    """The conversations behind the dashboard's figures (drill-down), or their CSV export.

    One row per conversation the customer wrote in during the range, with its outcome
    (one of contained, handed_off, abandoned) and the facts the figures count.
    """
    require_agent(caller)
    window = report_window(start, end, time.time())
    rows = await asyncio.to_thread(drill_down, runtime.store, window, outcome, bucket)
    if format == "csv":
        return Response(
            _csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="conversations.csv"'},
        )
    return {"start": window.start, "end": window.end, "outcomes": OUTCOMES, "items": rows}


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        started = datetime.fromtimestamp(row["started_at"], UTC).isoformat()
        writer.writerow({**row, "started_at": started})
    return out.getvalue()
