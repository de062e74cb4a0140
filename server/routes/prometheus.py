"""`GET /metrics`: the Prometheus exposition of `conversations.instruments`.

Who may read it: with `TANDEM_METRICS_TOKEN` set, any client presenting it as a bearer
token; without it, only clients on loopback (a Prometheus or agent sidecar on the same
host). Everyone else gets 403. The figures hold no customer data, but they tell load and
errors, so they are not public. With `PROMETHEUS_MULTIPROC_DIR` set, the values of every
server process are added up.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from conversations.instruments import QueueCollector
from server.deps import RuntimeDep
from server.openapi_docs import problem_responses
from server.problems import ApiError

router = APIRouter(tags=["operations"])


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed(request: Request, token: str | None) -> bool:
    """Whether the caller may read the metrics (see the module docstring)."""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return _loopback(request.client.host if request.client else None)


def exposition(list_handoffs: Callable[[tuple[str, ...]], list[dict[str, Any]]]) -> bytes:
    """The metrics in the text format, with the handoff queue read through `list_handoffs`.

    This process's instruments, or every process's with `PROMETHEUS_MULTIPROC_DIR` set.
    """
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    queue = CollectorRegistry()
    queue.register(QueueCollector(list_handoffs))
    return body + generate_latest(queue)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **problem_responses(403)},
)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Counters, histograms and gauges in the Prometheus text format."""
    secret = runtime.settings.metrics_token
    if not _allowed(request, secret.get_secret_value() if secret else None):
        raise ApiError(
            403,
            "metrics_forbidden",
            "Metrics are readable from loopback, or with the metrics token as a bearer token.",
        )
    body = await asyncio.to_thread(exposition, runtime.store.list_handoffs)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
