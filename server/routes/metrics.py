"""The manager dashboard's figures over a date range (agents and admins)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic.json_schema import SkipJsonSchema

from server.deps import Caller, RuntimeDep, require_agent
from server.metrics import DAY, HOUR, Window, dashboard_metrics
from server.openapi_docs import AUTHENTICATED, problem_responses
from server.problems import ApiError

router = APIRouter(prefix="/v1/metrics", tags=["dashboard"])

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 7


def _epoch(value: datetime) -> float:
    """Seconds since the epoch; a time without a zone is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


@router.get("/dashboard", responses=problem_responses(*AUTHENTICATED))
async def dashboard(
    caller: Caller,
    runtime: RuntimeDep,
    start: Annotated[
        datetime | SkipJsonSchema[None],
        Query(description="Range start (ISO 8601; default: 7 days before the end)."),
    ] = None,
    end: Annotated[
        datetime | SkipJsonSchema[None],
        Query(description="Range end, exclusive (ISO 8601; default: now)."),
    ] = None,
) -> dict[str, Any]:
    """The dashboard's figures for the range, bucketed by hour or day.

    Volume, containment and handoff rates, handoff reasons, sentiment trend, first-response
    and resolution times against the SLA, and turn latency (p50/p95). A reversed range is
    read the right way round; one longer than 366 days keeps its most recent 366 days;
    `start` and `end` in the answer are the range used.
    """
    require_agent(caller)
    backend = getattr(runtime.settings, "server_store_backend", "sqlite")
    if backend != "sqlite":
        raise ApiError(
            503,
            "metrics_unavailable",
            f"Dashboard metrics read the SQLite server store; this server uses {backend}.",
        )
    until = _epoch(end) if end else time.time()
    since = _epoch(start) if start else until - DEFAULT_RANGE_DAYS * DAY
    since, until = min(since, until), max(since, until)
    if until - since < HOUR:
        until = since + HOUR
    # Longer ranges keep their most recent MAX_RANGE_DAYS (the response says what was used).
    since = max(since, until - MAX_RANGE_DAYS * DAY)
    settings = runtime.settings
    analyzer = runtime.services.sentiment
    return await asyncio.to_thread(
        dashboard_metrics,
        settings.queue_db,
        Window(since, until),
        settings.sla_first_response_seconds,
        settings.sla_resolution_seconds,
        lambda text: float(analyzer.analyze(text).score),
    )
