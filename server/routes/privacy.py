"""Admin API for a customer's data-protection rights: export everything, or erase it.

`GET /v1/admin/customers/{id}/export` and `DELETE /v1/admin/customers/{id}` (admins only)
do what `tandem privacy export` / `erase` do (`conversations.customer_data`). An erasure
is refused (409) while a turn runs on one of the customer's conversations; afterwards the
conversations' events are dropped from this server's memory too.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path

from server.auth.dependencies import AdminPrincipal
from server.deps import RuntimeDep
from server.openapi_docs import AUTHENTICATED, problem_responses
from server.problems import ApiError
from server.runtime import ServerRuntime
from wiring.privacy import open_customer_data

router = APIRouter(prefix="/v1/admin/customers", tags=["admin"])

CustomerId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_@+-]+$",
        description="The customer's id (as in the order store; no periods, as in memory).",
    ),
]


def _export(runtime: ServerRuntime, customer_id: str) -> dict[str, Any]:
    tenant = runtime.services.tenant(runtime.context_for(customer_id))
    with open_customer_data(runtime.settings, runtime.services.orders, tenant) as data:
        return data.export(customer_id)


def _conversations(runtime: ServerRuntime, customer_id: str) -> list[str]:
    with open_customer_data(runtime.settings, runtime.services.orders) as data:
        return data.conversation_ids(customer_id)


def _erase(runtime: ServerRuntime, customer_id: str) -> dict[str, int]:
    tenant = runtime.services.tenant(runtime.context_for(customer_id))
    with open_customer_data(runtime.settings, runtime.services.orders, tenant) as data:
        return data.erase(customer_id)


@router.get("/{customer_id}/export", responses=problem_responses(*AUTHENTICATED))
async def export_customer(
    customer_id: CustomerId, admin: AdminPrincipal, runtime: RuntimeDep
) -> dict[str, Any]:
    """Everything held about the customer, as JSON.

    Conversations (records, events, queue entries, latest state), long-term memory,
    account and orders.
    """
    return await asyncio.to_thread(_export, runtime, customer_id)


@router.delete("/{customer_id}", responses=problem_responses(*AUTHENTICATED, 409))
async def erase_customer(
    customer_id: CustomerId, admin: AdminPrincipal, runtime: RuntimeDep
) -> dict[str, Any]:
    """Erase the customer's conversations, checkpoints, memory and attached files.

    Their orders stay for accounting with the personal fields blanked. Returns what was
    erased.
    """
    conversations = await asyncio.to_thread(_conversations, runtime, customer_id)
    running = [cid for cid in conversations if runtime.runner.busy(cid)]
    if running:
        raise ApiError(
            409,
            "conversation_busy",
            f"A turn is running on conversation {running[0]}; erase again once it ends.",
        )
    counts = await asyncio.to_thread(_erase, runtime, customer_id)
    for conversation_id in conversations:
        runtime.hub.forget(conversation_id)
    return {"customer_id": customer_id, "erased": counts}
