"""Schemathesis against the live server's OpenAPI schema: no 5xx, no schema violation."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from server.auth.local_issuer import issuer_from_settings
from tests.loopback import free_port

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, shared_backends) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("fuzz")
    settings_ = Settings(data_dir=folder, checkpointer="memory", rate_limit_per_minute=100_000)
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
            case.call_and_validate(headers=headers, timeout=30)

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert operations >= 12
    assert not failures, "\n\n".join(failures)
