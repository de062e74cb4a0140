"""REST problems as GraphQL errors: the same machine code, in `extensions.code`."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import HTTPException
from graphql import GraphQLError

T = TypeVar("T")


def graphql_error(code: str, message: str, status: int = 400) -> GraphQLError:
    """A GraphQL error carrying a machine code and the HTTP status REST would answer."""
    return GraphQLError(message, extensions={"code": code, "status": status})


def from_http(error: HTTPException) -> GraphQLError:
    """The GraphQL form of a REST `ApiError` (or any HTTPException)."""
    detail: Any = error.detail
    if isinstance(detail, dict):
        return graphql_error(
            str(detail.get("code", "error")), str(detail.get("detail", "")), error.status_code
        )
    return graphql_error("error", str(detail), error.status_code)


async def call(awaitable: Awaitable[T]) -> T:
    """Await a REST route function, turning its problem into a GraphQL error."""
    try:
        return await awaitable
    except HTTPException as error:
        raise from_http(error) from None


def should_mask(error: GraphQLError) -> bool:
    """Hide the text of unexpected exceptions; errors raised on purpose keep theirs."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)
