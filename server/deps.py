"""FastAPI dependencies: the server runtime, rate-limited callers and conversation access.

The dependencies are coroutines: FastAPI runs plain functions in its thread pool, and a
hop to a thread and back for each of them costs more than the work itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from server.auth.dependencies import CurrentPrincipal
from server.auth.principal import Principal
from server.problems import ApiError
from server.runtime import ServerRuntime


async def get_runtime(request: Request) -> ServerRuntime:
    """The runtime the lifespan created."""
    runtime: ServerRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServerRuntime, Depends(get_runtime)]


async def limited_principal(principal: CurrentPrincipal, runtime: RuntimeDep) -> Principal:
    """The authenticated caller, after taking one token from their rate-limit bucket."""
    wait = runtime.limiter.check(principal.sub)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests; retry in {int(wait)} s.",
            headers={"Retry-After": str(int(wait))},
        )
    return principal


Caller = Annotated[Principal, Depends(limited_principal)]


def require_agent(principal: Principal) -> None:
    """Refuse callers who are not agents or admins."""
    if not principal.is_agent:
        raise ApiError(403, "forbidden_role", "Only agents and admins can do this.")


def conversation_for(
    runtime: ServerRuntime, conversation_id: str, principal: Principal
) -> dict[str, Any]:
    """Load a conversation the caller may see; 404 for missing or other customers' ones.

    Customers see only their own conversations (others' are reported as not found, so ids
    cannot be probed); agents see handed-off conversations; admins see everything.
    """
    conversation = runtime.store.get_conversation(conversation_id)
    if conversation is None:
        raise ApiError(404, "conversation_not_found", f"No conversation {conversation_id}.")
    if principal.is_admin:
        return conversation
    if principal.role == "customer":
        if conversation["customer_id"] != principal.customer_id:
            raise ApiError(404, "conversation_not_found", f"No conversation {conversation_id}.")
        return conversation
    if runtime.store.get_handoff(conversation_id) is None:
        raise ApiError(
            403, "not_handed_off", "Agents can open conversations only once they are handed off."
        )
    return conversation
