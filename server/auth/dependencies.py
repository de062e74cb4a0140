"""FastAPI dependencies: the bearer-token principal and role requirements.

The verifier is read from `request.app.state.verifier`. Failures answer with
`{"detail": {"code": ..., "detail": ...}}`: 401 (with `WWW-Authenticate: Bearer`) for a
missing or invalid token, 403 for a role or customer that is not allowed, 503 when the
signing keys cannot be fetched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from server.auth.principal import ROLES, Principal, Role
from server.auth.verifier import AuthError, JwtVerifier

CHALLENGE = "Bearer"
"""`WWW-Authenticate` value when no credentials were sent (RFC 6750 §3: no error code)."""

INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'
"""`WWW-Authenticate` value when the bearer token was rejected."""


def _error(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> HTTPException:
    """Build an HTTPException whose body carries a machine code and a human sentence."""
    return HTTPException(
        status_code=status, detail={"code": code, "detail": detail}, headers=headers
    )


def bearer_token(request: Request) -> str | None:
    """Return the bearer token from the `Authorization` header, or None when absent."""
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _error(
            401,
            "missing_token",
            "The Authorization header must be 'Bearer <token>'.",
            {"WWW-Authenticate": INVALID_TOKEN_CHALLENGE},
        )
    return token.strip()


async def get_principal(request: Request) -> Principal:
    """Authenticate the request's bearer token and return its principal.

    Verification runs on the event loop (a signature check takes microseconds) unless it
    needs to fetch the JWKS, which then happens in a worker thread so the loop never waits
    on the network. The principal is also stored on `request.state.principal` for
    middleware such as rate limiting.
    """
    verifier: JwtVerifier | None = getattr(request.app.state, "verifier", None)
    if verifier is None:
        raise _error(500, "auth_not_configured", "Authentication is not configured.")
    token = bearer_token(request)
    if token is None:
        raise _error(
            401, "missing_token", "A bearer token is required.", {"WWW-Authenticate": CHALLENGE}
        )
    try:
        if verifier.verifies_offline(token):
            principal = verifier.verify(token)
        else:
            principal = await asyncio.to_thread(verifier.verify, token)
    except AuthError as exc:
        if exc.status == 401:
            raise _error(
                401, exc.code, exc.detail, {"WWW-Authenticate": INVALID_TOKEN_CHALLENGE}
            ) from exc
        raise _error(exc.status, exc.code, exc.detail) from exc
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
"""Any authenticated caller."""


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """Return a dependency that admits only principals holding one of `roles` (else 403)."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}; expected one of {', '.join(ROLES)}")
    allowed = frozenset(roles)
    wording = " or ".join(sorted(allowed))

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise _error(
                403,
                "forbidden_role",
                f"This action needs the {wording} role; you are {principal.role}.",
            )
        return principal

    dependency.__name__ = f"require_{'_or_'.join(sorted(allowed))}"
    return dependency


AgentPrincipal = Annotated[Principal, Depends(require_roles("agent", "admin"))]
"""An authenticated agent or admin."""

AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
"""An authenticated admin."""


def ensure_customer_access(principal: Principal, customer_id: str | None) -> None:
    """Raise 403 `forbidden_customer` unless `principal` may see `customer_id`'s data."""
    if not principal.can_access_customer(customer_id):
        raise _error(403, "forbidden_customer", "You may only access your own customer data.")
