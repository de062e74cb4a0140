"""A running app (TestClient) with helpers to send GraphQL documents as any caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from tests.server.conftest import Api


class GraphQLApi(Api):
    """The REST helpers plus `gql` (one HTTP GraphQL request)."""

    def gql(
        self,
        query: str | None,
        headers: dict[str, str],
        variables: dict[str, Any] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"variables": variables or {}}
        if query is not None:
            body["query"] = query
        if extensions is not None:
            body["extensions"] = extensions
        response = self.client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())


def codes(result: dict[str, Any]) -> list[str]:
    """The `extensions.code` of every error in a GraphQL result."""
    return [e.get("extensions", {}).get("code") for e in result.get("errors") or []]


@pytest.fixture
def make_api(settings: Settings, services: Services) -> Iterator[Callable[..., GraphQLApi]]:
    """Start the app with some settings changed; every client is closed afterwards."""
    clients: list[TestClient] = []

    def start(**changes: Any) -> GraphQLApi:
        settings.rate_limit_per_minute = 1000
        for name, value in changes.items():
            setattr(settings, name, value)
        client = TestClient(create_app(settings, services))
        client.__enter__()
        clients.append(client)
        return GraphQLApi(client, settings)

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def gapi(make_api: Callable[..., GraphQLApi]) -> GraphQLApi:
    return make_api()
