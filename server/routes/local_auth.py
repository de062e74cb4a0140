"""Browser sign-in: how to sign in (`/v1/auth/config`) and, in development, a token for anyone.

`POST /v1/auth/local-token` signs a token with the local issuer, exactly like
`tandem auth token`, so the web apps can sign in without a terminal. It exists only when
`auth_mode` is `local` (development and tests) and answers 404 otherwise; production
staff sign in with Cognito's hosted login, whose address `/v1/auth/config` gives.
Sign-ins are rate limited per client address, and an admin token needs the local secret
(see `server.auth.local_secret`).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from server.auth.local_secret import secret_matches
from server.openapi_docs import problem_responses
from server.problems import ApiError
from server.schemas import Strict

router = APIRouter(prefix="/v1/auth", tags=["sign-in"])

SUBJECT_PATTERN = r"^[A-Za-z0-9._@-]+$"


class LocalTokenRequest(Strict):
    """Who to sign a development token for."""

    role: Literal["customer", "agent", "admin"]
    sub: str = Field(min_length=1, max_length=120, pattern=SUBJECT_PATTERN)
    name: str | None = Field(default=None, max_length=120, description="Display name.")
    customer_id: str | None = Field(
        default=None,
        max_length=120,
        pattern=SUBJECT_PATTERN,
        description="Customer record (customers only, default: the sub; ignored for staff).",
    )
    secret: str | None = Field(
        default=None,
        max_length=200,
        description="The local secret (`tandem auth secret`); required for the admin role.",
    )


class TokenResponse(BaseModel):
    """A signed bearer token."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class HostedLogin(BaseModel):
    """Cognito's hosted login (OAuth 2.0 authorization code with PKCE)."""

    authorize_url: str
    token_url: str
    logout_url: str
    client_id: str
    scopes: list[str]


class AuthConfig(BaseModel):
    """How the web apps sign users in."""

    mode: Literal["local", "cognito"]
    hosted_login: HostedLogin | None = Field(
        description="Set when staff sign in through Cognito's hosted login."
    )


@router.get("/config")
async def auth_config(request: Request) -> AuthConfig:
    """The sign-in method of this server (public: the sign-in page needs it)."""
    settings = request.app.state.runtime.settings
    hosted = None
    if settings.auth_mode == "cognito" and settings.auth_hosted_ui_domain:
        domain = settings.auth_hosted_ui_domain.rstrip("/")
        if not domain.startswith("https://"):
            domain = f"https://{domain}"
        hosted = HostedLogin(
            authorize_url=f"{domain}/oauth2/authorize",
            token_url=f"{domain}/oauth2/token",
            logout_url=f"{domain}/logout",
            client_id=settings.auth_client_ids[0],
            scopes=["openid", "profile", "email"],
        )
    return AuthConfig(mode=settings.auth_mode, hosted_login=hosted)


@router.post("/local-token", responses=problem_responses(403, 404, 422, 429))
async def local_token(body: LocalTokenRequest, request: Request) -> TokenResponse:
    """Sign a development token (local auth mode only; 404 with Cognito).

    Rate limited per client address (429); the admin role needs the local secret (403).
    """
    issuer = getattr(request.app.state, "local_issuer", None)
    if issuer is None:
        raise ApiError(
            404, "no_local_issuer", "Sign in through Cognito; development tokens are disabled."
        )
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.sign_in_limiter.check(client)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            "Too many sign-ins from this address; retry shortly.",
            headers={"Retry-After": str(int(wait))},
        )
    if body.role == "admin" and not secret_matches(request.app.state.local_secret, body.secret):
        raise ApiError(
            403,
            "local_secret_required",
            "An admin sign-in needs the local secret (print it with `tandem auth secret`).",
        )
    customer_id = (body.customer_id or body.sub) if body.role == "customer" else None
    token = issuer.issue(body.sub, body.role, customer_id=customer_id, name=body.name)
    return TokenResponse(access_token=token, expires_in=issuer.ttl)
