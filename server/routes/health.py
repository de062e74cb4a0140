"""Liveness and readiness probes, and the local issuer's JWKS in development."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from server.deps import RuntimeDep
from server.openapi_docs import problem_responses
from server.problems import ApiError

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
async def readyz(runtime: RuntimeDep) -> dict[str, Any]:
    """Every backend answers: checkpoints, order store, knowledge base, server store.

    `turns` tells how loaded the process is: customer turns running and waiting to start,
    the admission limit (0: unlimited) and the event loop's smoothed lag.
    """
    checks: dict[str, str] = {}
    try:
        await runtime.graph.checkpointer.aget_tuple({"configurable": {"thread_id": "readyz"}})
        checks["checkpointer"] = "ok"
        await asyncio.to_thread(runtime.services.orders.ping)
        checks["orders"] = "ok"
        await asyncio.to_thread(runtime.services.kb.search, "shipping", 1)
        checks["knowledge_base"] = "ok"
        runtime.store.last_seq("readyz")
        checks["server_store"] = "ok"
    except Exception as error:
        raise ApiError(503, "not_ready", f"Not ready: {type(error).__name__}: {error}") from None
    return {"status": "ready", "checks": checks, "turns": runtime.runner.gate.stats()}


@router.get("/.well-known/jwks.json", responses=problem_responses(404))
async def jwks(request: Request) -> dict[str, Any]:
    """The development issuer's public keys (local auth mode only)."""
    issuer = getattr(request.app.state, "local_issuer", None)
    if issuer is None:
        raise ApiError(404, "no_local_issuer", "This server validates tokens from Amazon Cognito.")
    keys: dict[str, Any] = issuer.jwks()
    return keys
