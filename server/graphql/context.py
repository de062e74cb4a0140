"""Who is asking: the GraphQL context, authenticated like the REST routes.

HTTP requests carry `Authorization: Bearer JWT` and are checked before the operation runs
(a missing or bad token is the same 401 problem REST answers; the rate limit applies).
WebSocket clients authenticate in `connection_init`: payload `{"Authorization": "Bearer
JWT"}` (or `{"access_token": JWT}`, or `?access_token=` on the URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.requests import HTTPConnection
from strawberry.fastapi import BaseContext

from server.auth.dependencies import get_principal
from server.auth.principal import Principal
from server.auth.verifier import AuthError
from server.deps import limited_principal
from server.graphql.errors import graphql_error
from server.runtime import ServerRuntime


@dataclass
class GraphQLContext(BaseContext):
    """The runtime and, once authenticated, the caller."""

    runtime: ServerRuntime | None = None
    principal: Principal | None = None

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def caller(self) -> Principal:
        """The authenticated caller (every operation needs one)."""
        if self.principal is None:
            raise graphql_error("missing_token", "A bearer token is required.", 401)
        return self.principal

    @property
    def server(self) -> ServerRuntime:
        """The server runtime."""
        assert self.runtime is not None
        return self.runtime


async def context_getter(connection: HTTPConnection) -> GraphQLContext:
    """Build the context; over HTTP, authenticate and rate-limit the caller first."""
    runtime: ServerRuntime = connection.app.state.runtime
    if isinstance(connection, Request):
        principal = await limited_principal(await get_principal(connection), runtime)
        return GraphQLContext(runtime=runtime, principal=principal)
    return GraphQLContext(runtime=runtime)


def websocket_token(connection: HTTPConnection, params: Any) -> str:
    """The token a WebSocket client sent in `connection_init` (or on the URL)."""
    if isinstance(params, dict):
        header = params.get("Authorization") or params.get("authorization")
        if isinstance(header, str) and header.lower().startswith("bearer "):
            return header[7:].strip()
        token = params.get("access_token")
        if isinstance(token, str):
            return token
    return connection.query_params.get("access_token", "")


def authenticate_websocket(context: GraphQLContext, params: Any) -> None:
    """Verify the WebSocket client's token; raise AuthError when it is refused."""
    assert context.request is not None
    verifier = context.request.app.state.verifier
    token = websocket_token(context.request, params)
    if not token:
        raise AuthError("missing_token", "A bearer token is required.")
    context.principal = verifier.verify(token)
