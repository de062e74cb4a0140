"""A running Tandem app (in process, via TestClient) with tokens from the local issuer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from server.auth.local_issuer import issuer_from_settings


class Api:
    """A TestClient plus helpers to authenticate as customers and agents."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.issuer = issuer_from_settings(settings)

    def token(self, role: str, sub: str, customer_id: str | None = None) -> dict[str, str]:
        token = self.issuer.issue(sub, role, customer_id=customer_id)  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {token}"}

    def customer(self, customer_id: str = "alex_morgan_1001") -> dict[str, str]:
        return self.token("customer", customer_id, customer_id)

    def agent(self, sub: str = "dana") -> dict[str, str]:
        return self.token("agent", sub)

    def new_conversation(self, headers: dict[str, str]) -> str:
        response = self.client.post("/v1/conversations", json={"channel": "web"}, headers=headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def say(
        self,
        conversation_id: str,
        text: str,
        headers: dict[str, str],
        attachments: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Post a message (with attachment ids, if any) and collect the SSE events until `done`."""
        body: dict[str, Any] = {"text": text}
        if attachments:
            body["attachments"] = attachments
        with self.client.stream(
            "POST",
            f"/v1/conversations/{conversation_id}/messages",
            json=body,
            headers=headers,
        ) as response:
            assert response.status_code == 200, response.read()
            return parse_sse(response.iter_lines())


def parse_sse(lines: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """Parse SSE lines into events carrying their `id`; stop after `done`/`error` or `limit`."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in lines:
        if line.startswith("id:"):
            current["id"] = int(line[3:].strip())
        elif line.startswith("data:"):
            current.update(json.loads(line[5:].strip()))
        elif line == "" and current:
            events.append(current)
            current = {}
            if events[-1].get("type") in ("done", "error") or len(events) == limit:
                break
    return events


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    settings.rate_limit_per_minute = 1000
    return settings


@pytest.fixture
def api(server_settings: Settings, services: Services) -> Iterator[Api]:
    app = create_app(server_settings, services)
    with TestClient(app) as client:
        yield Api(client, server_settings)
