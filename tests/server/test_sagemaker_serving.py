"""The SageMaker serving container's contract on loopback, and the graph calling it.

The container app runs on a free port; a loopback server speaks SageMaker Runtime's
`POST /endpoints/{name}/invocations` and forwards to it, so boto3's `sagemaker-runtime`
client (pointed at it with `endpoint_url`) makes the same InvokeEndpoint calls it makes on
AWS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from langgraph.checkpoint.memory import InMemorySaver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphs.services import Services
from graphs.support import compile_graph
from server.sagemaker.app import create_serving_app
from tests.channels.messaging.loopback_server import serve
from tests.scenarios.helpers import Conversation
from tools.understanding_endpoint import EndpointUnderstanding

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

ENDPOINT = "tandem-understanding"
MESSAGES = [
    "Where is my order #W2378156?",
    "This is the THIRD time I ask!!! Cancel it now.",
    "I want to return the headphones, they broke after a day",
    "Can I change the delivery address?",
    "Thanks, that was really helpful :)",
]


class RuntimeApi:
    """SageMaker Runtime's InvokeEndpoint on loopback, forwarding to a serving container."""

    def __init__(self, container: str, delay: float = 0.0, fail: bool = False) -> None:
        self.container = container
        self.delay = delay
        self.fail = fail
        self.calls = 0

    def app(self) -> Starlette:
        route = Route("/endpoints/{name}/invocations", self._invoke, methods=["POST"])
        return Starlette(routes=[route])

    async def _invoke(self, request: Request) -> Response:
        self.calls += 1
        if request.path_params["name"] != ENDPOINT:
            message = f"Endpoint {request.path_params['name']} of account 1 not found."
            return JSONResponse(
                {"message": message}, 400, headers={"x-amzn-ErrorType": "ValidationError:"}
            )
        if self.fail:
            return JSONResponse(
                {"OriginalStatusCode": 500, "message": "Received server error (500)"},
                424,
                headers={"x-amzn-ErrorType": "ModelError:"},
            )
        await asyncio.sleep(self.delay)
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{self.container}/invocations",
                content=await request.body(),
                headers={"Content-Type": request.headers["content-type"]},
            )
        return Response(
            answer.content,
            answer.status_code,
            headers={"x-Amzn-Invoked-Production-Variant": "AllTraffic"},
            media_type=answer.headers["content-type"],
        )


@pytest.fixture
def container(services: Services) -> Iterator[str]:
    with serve(create_serving_app(services.classifier, services.sentiment)) as url:
        yield url


def runtime_client(url: str, timeout: float = 5.0) -> Any:
    config = Config(
        connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1}
    )
    return boto3.client(
        "sagemaker-runtime",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )


@pytest.fixture
def remote(
    services: Services, container: str
) -> Iterator[tuple[EndpointUnderstanding, RuntimeApi]]:
    api = RuntimeApi(container)
    with serve(api.app()) as url:
        engines = EndpointUnderstanding(
            runtime_client(url), ENDPOINT, services.classifier, services.sentiment
        )
        yield engines, api


def test_ping_and_the_invocations_contract(container, services):
    assert httpx.get(f"{container}/ping").status_code == 200
    answer = httpx.post(f"{container}/invocations", json={"text": MESSAGES[0]})
    assert answer.status_code == 200
    body = answer.json()
    local = services.classifier.predict(MESSAGES[0])
    assert body["intent"]["intent"] == local.intent
    assert body["intent"]["confidence"] == pytest.approx(local.confidence)
    assert body["sentiment"]["label"] == services.sentiment.analyze(MESSAGES[0]).label
    for bad, status, code in [
        (
            {"content": b"{}", "headers": {"Content-Type": "text/csv"}},
            415,
            "unsupported_media_type",
        ),
        ({"json": {"texts": ["hi"]}}, 400, "invalid_request"),
        (
            {"content": b"{oops", "headers": {"Content-Type": "application/json"}},
            400,
            "invalid_request",
        ),
        ({"json": {"text": "x" * 70_000}}, 413, "too_large"),
    ]:
        refused = httpx.post(f"{container}/invocations", **bad)
        assert (refused.status_code, refused.json()["code"]) == (status, code)
        assert refused.headers["content-type"] == "application/problem+json"


def test_invoke_endpoint_answers_what_the_in_process_engines_answer(remote, services):
    engines, api = remote
    for text in MESSAGES:
        assert engines.predict(text) == services.classifier.predict(text)
        assert engines.analyze(text) == services.sentiment.analyze(text)
    assert api.calls == len(MESSAGES)  # intent and sentiment of a message: one call
    assert engines.fallbacks == 0


def test_the_graphs_understanding_through_the_endpoint_equals_in_process(remote, services):
    engines, api = remote
    through = dataclasses.replace(services, classifier=engines, sentiment=engines)
    graphs = [compile_graph(s, InMemorySaver()) for s in (services, through)]
    for index, text in enumerate(MESSAGES):
        states = []
        for graph in graphs:
            conversation = Conversation(graph, thread_id=f"t{index}")
            conversation.say(text)
            states.append(conversation.state)
        local, remote_state = states
        for key in ("intent", "intent_confidence", "intent_source", "sentiment", "route"):
            assert remote_state[key] == local[key], (text, key)
    assert api.calls == len(MESSAGES) and engines.fallbacks == 0


@pytest.mark.parametrize("trouble", ["timeout", "model_error", "unknown_endpoint"])
def test_errors_and_timeouts_fall_back_to_the_in_process_engines(
    trouble, services, container, caplog
):
    api = RuntimeApi(
        container, delay=3.0 if trouble == "timeout" else 0.0, fail=trouble == "model_error"
    )
    with serve(api.app()) as url:
        name = "no-such-endpoint" if trouble == "unknown_endpoint" else ENDPOINT
        engines = EndpointUnderstanding(
            runtime_client(url, timeout=0.5), name, services.classifier, services.sentiment
        )
        with caplog.at_level(logging.WARNING, "tandem.tools.understanding_endpoint"):
            assert engines.predict(MESSAGES[1]) == services.classifier.predict(MESSAGES[1])
            asked = api.calls
            assert engines.analyze(MESSAGES[1]) == services.sentiment.analyze(MESSAGES[1])
    # One failed call per message: the sentiment asked next does not wait on the endpoint.
    assert api.calls >= 1 and api.calls == asked and engines.fallbacks == 1
    assert "the in-process engines answer" in caplog.text
