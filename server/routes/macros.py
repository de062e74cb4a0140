"""Canned responses (macros): admins manage them, agents fill them in.

Agents list them and fill one in for a conversation
(`{customer_name}`, `{first_name}`, `{order_id}`).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path

from server.deps import Caller, RuntimeDep, require_agent
from server.problems import ApiError
from server.routes.conversations import ERRORS
from server.routes.queue import _entry_or_404
from server.schemas_workspace import Macro, MacroIn, RenderedMacro
from server.transcript import conversation_state

router = APIRouter(tags=["macros"])

MacroId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
VARIABLE = re.compile(r"\{([a-z_]+)\}")


def render(body: str, values: dict[str, str | None]) -> tuple[str, list[str]]:
    """Fill `{name}` variables from `values`; unknown or empty ones stay, listed as missing."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = values.get(match[1])
        if value:
            return value
        missing.append(match[1])
        return match[0]

    return VARIABLE.sub(fill, body), list(dict.fromkeys(missing))


@router.get("/v1/macros", responses=ERRORS)
async def list_macros(caller: Caller, runtime: RuntimeDep) -> list[Macro]:
    """Every canned response, by title (agents and admins)."""
    require_agent(caller)
    return [Macro(**macro) for macro in runtime.store.list_macros()]


@router.put("/v1/macros/{macro_id}", responses=ERRORS)
async def put_macro(macro_id: MacroId, body: MacroIn, caller: Caller, runtime: RuntimeDep) -> Macro:
    """Create or replace a canned response (admins only)."""
    if not caller.is_admin:
        raise ApiError(403, "forbidden_role", "Only admins manage canned responses.")
    runtime.store.put_macro({"id": macro_id, **body.model_dump(), "updated_by": caller.sub})
    stored = next(m for m in runtime.store.list_macros() if m["id"] == macro_id)
    return Macro(**stored)


@router.delete("/v1/macros/{macro_id}", status_code=204, responses=ERRORS)
async def delete_macro(macro_id: MacroId, caller: Caller, runtime: RuntimeDep) -> None:
    """Delete a canned response (admins only)."""
    if not caller.is_admin:
        raise ApiError(403, "forbidden_role", "Only admins manage canned responses.")
    if not runtime.store.delete_macro(macro_id):
        raise ApiError(404, "macro_not_found", f"No canned response {macro_id}.")


@router.post("/v1/queue/{conversation_id}/macros/{macro_id}", responses=ERRORS)
async def render_macro(
    conversation_id: str, macro_id: MacroId, caller: Caller, runtime: RuntimeDep
) -> RenderedMacro:
    """A canned response filled in with this conversation's customer and order."""
    require_agent(caller)
    row = _entry_or_404(runtime, conversation_id)
    macro = next((m for m in runtime.store.list_macros() if m["id"] == macro_id), None)
    if macro is None:
        raise ApiError(404, "macro_not_found", f"No canned response {macro_id}.")
    values, _ = await conversation_state(runtime, conversation_id)
    name = (values.get("customer") or {}).get("name")
    text, missing = render(
        macro["body"],
        {
            "customer_name": name,
            "first_name": name.split()[0] if name else None,
            "order_id": values.get("active_order_id") or row.get("order_id"),
        },
    )
    return RenderedMacro(macro_id=macro_id, text=text, missing=missing)
