"""The `/graphql` router: schema, limits, persisted queries and WebSocket authentication."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionContext
from strawberry.types.unset import UnsetType

from config.settings import Settings
from server.auth.verifier import AuthError
from server.graphql.context import GraphQLContext, authenticate_websocket, context_getter
from server.graphql.errors import should_mask
from server.graphql.persisted import PersistedQueries, PersistedQueryStore
from server.graphql.query import Query
from server.graphql.subscription import Subscription


def introspection_enabled(settings: Settings) -> bool:
    """Introspection is on when the setting says so, else only with development auth."""
    if settings.graphql_introspection is not None:
        return settings.graphql_introspection
    return settings.auth_mode == "local"


class TandemSchema(strawberry.Schema):
    """Logs only unexpected errors: refusals and bad input are the caller's to read."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the errors that are masked (exceptions nobody raised on purpose)."""
        unexpected = [error for error in errors if should_mask(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the depth, token and alias limits the settings set."""
    store = PersistedQueryStore.from_file(
        settings.graphql_persisted_queries, settings.graphql_persisted_only
    )
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(PersistedQueries, store),
        partial(QueryDepthLimiter, max_depth=settings.graphql_max_depth),
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(MaxAliasesLimiter, max_alias_count=settings.graphql_max_aliases),
        partial(MaskErrors, should_mask_error=should_mask),
    ]
    if not introspection_enabled(settings):
        extensions.append(DisableIntrospection)
    return TandemSchema(query=Query, subscription=Subscription, extensions=extensions)


class TandemGraphQLRouter(GraphQLRouter[GraphQLContext, None]):
    """GraphQLRouter whose WebSocket clients authenticate in `connection_init`."""

    async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, object] | None:
        """Verify the token; a refused one closes the socket with 4403."""
        try:
            authenticate_websocket(context, context.connection_params)
        except AuthError as error:
            raise ConnectionRejectionError({"code": error.code}) from None
        return await super().on_ws_connect(context)


def graphql_router(settings: Settings) -> TandemGraphQLRouter:
    """The router to mount on the app (`/graphql`)."""
    router = TandemGraphQLRouter(
        build_schema(settings),
        path="/graphql",
        graphql_ide="graphiql" if introspection_enabled(settings) else None,
        context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        tags=["graphql"],
    )
    # GraphQL describes itself (its own schema); the OpenAPI document is the REST API's.
    for route in router.routes:
        if hasattr(route, "include_in_schema"):
            route.include_in_schema = False
    return router
