"""Schemathesis against the live server's OpenAPI schema: no 5xx, no schema violation."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator

import jwt
import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from server.auth.local_issuer import issuer_from_settings
from tests.loopback import free_port

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, shared_backends) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("fuzz")
    settings_ = Settings(
        data_dir=folder,
        checkpointer="memory",
        rate_limit_per_minute=100_000,
        local_token_per_minute=100_000,
    )
    from tools.sentiment import VaderSentimentAnalyzer

    services = Services(
        orders=shared_backends["orders"].clone(),
        kb=shared_backends["kb"],
        sentiment=VaderSentimentAnalyzer(),
        classifier=shared_backends["classifier"],
        catalogue=shared_backends["catalogue"],
    )
    app = create_app(settings_, services)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    token = issuer_from_settings(settings_).issue("root", "admin")
    yield {"url": f"http://127.0.0.1:{port}", "app": app, "token": token}
    server.should_exit = True
    thread.join(10)


def _excluded(case) -> list:
    """A date range whose start is after its end is well-formed by the schema (which cannot
    relate two parameters) and refused with a 422 problem: not a conformance failure."""
    return [positive_data_acceptance] if case.path.startswith("/v1/metrics") else []


def test_api_conforms_to_its_schema(live_server):
    schema = schemathesis.openapi.from_dict(live_server["app"].openapi())
    schema.config.update(base_url=live_server["url"])
    # endless live streams (queue feed, conversation follow) are exercised by their own tests
    schema = schema.exclude(path_regex=r"/events$")
    headers = {"Authorization": f"Bearer {live_server['token']}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            case.call_and_validate(headers=headers, timeout=30, excluded_checks=_excluded(case))

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert operations >= 12
    assert not failures, "\n\n".join(failures)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


@st.composite
def malformed_tokens(draw: st.DrawFn, good: str) -> str:
    """A real token's claims and signature under a header with odd `kid`/`crit`/`alg` values."""
    header = jwt.get_unverified_header(good)
    for name in draw(st.sets(st.sampled_from(["kid", "crit", "alg", "typ", "jku", "b64"]))):
        header[name] = draw(JSON_VALUES)
    _, claims, signature = good.split(".")
    return f"{_b64(json.dumps(header).encode())}.{claims}.{signature}"


def test_malformed_token_headers_never_get_a_server_error(live_server):
    """The malformed-header family: every operation, a token whose header is mangled."""
    schema = schemathesis.openapi.from_dict(live_server["app"].openapi())
    schema.config.update(base_url=live_server["url"])
    schema = schema.exclude(path_regex=r"/events$")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), token=malformed_tokens(live_server["token"]))
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case, token: str) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert response.status_code < 500, (token, response.status_code, response.text)

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)


EVENT_IDS = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.from_regex(r"\A[0-9]{15,5000}\Z"),
    st.sampled_from(["0xB2", "²", "١٢", "1e3", " 7 "]),
)


def test_malformed_event_ids_never_get_a_server_error(live_server):
    """The malformed-id family: `Last-Event-ID` and `after` on the conversation stream."""
    headers = {"Authorization": f"Bearer {live_server['token']}"}
    created = requests.post(
        f"{live_server['url']}/v1/conversations",
        json={"channel": "web", "customer_id": "alex_morgan_1001"},
        headers=headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    url = f"{live_server['url']}/v1/conversations/{created.json()['id']}/events"

    @given(value=EVENT_IDS, as_header=st.booleans())
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def check(value: str, as_header: bool) -> None:
        raw = value.encode("utf-8")
        if as_header:
            request_headers: dict[str, str | bytes] = {**headers, "Last-Event-ID": raw}
            params = {}
        else:
            request_headers, params = dict(headers), {"after": value}
        try:
            response = requests.get(
                url, headers=request_headers, params=params, stream=True, timeout=30
            )
        except (requests.exceptions.InvalidHeader, ValueError):
            return  # not sendable as an HTTP header at all
        with response:
            assert response.status_code < 500, (value, response.status_code)
            if response.status_code != 200:
                # bytes no HTTP parser accepts are refused by uvicorn itself, in plain text
                kind = response.headers["content-type"]
                assert kind == "application/problem+json" or response.status_code == 400, kind

    check()
