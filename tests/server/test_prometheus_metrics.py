"""`/metrics`: who may read it, and the figures real turns leave in it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from server.app import create_app
from tests.server.conftest import Api

LOOPBACK = ("127.0.0.1", 50000)


def _value(text: str, name: str, **labels: str) -> float:
    """The sample `name` with `labels` in an exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


@pytest.fixture
def local(server_settings, services) -> Iterator[Api]:
    """The app seen from a client on loopback."""
    with TestClient(create_app(server_settings, services), client=LOOPBACK) as client:
        yield Api(client, server_settings)


def _scrape(api: Api, headers: dict[str, str] | None = None) -> str:
    response = api.client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_turns_handoffs_queue_and_errors_show_in_the_metrics(local):
    before = _scrape(local)
    alex = local.customer()
    contained = local.new_conversation(alex)
    local.say(contained, "Where is my order #W1234567?", alex)
    handed = local.new_conversation(alex)
    local.say(handed, "I am furious, get me a human now", alex)
    missing = local.client.get("/v1/conversations/nope", headers=alex)
    assert missing.status_code == 404
    after = _scrape(local)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("tandem_turns_total", kind="customer", outcome="done", planner="rules") == 2
    assert grew("tandem_turn_duration_seconds_count", kind="customer") == 2
    assert grew("tandem_first_event_seconds_count") == 2
    assert grew("tandem_admission_wait_seconds_count") == 2
    assert grew("tandem_handoffs_total", reason="explicit_request") == 1
    assert grew("tandem_errors_total", code=missing.json()["code"]) == 1
    assert _value(after, "tandem_handoff_queue_depth", status="waiting") == 1
    assert _value(after, "tandem_handoff_queue_oldest_wait_seconds") >= 0

    dana = local.agent("dana")
    assert local.client.post(f"/v1/queue/{handed}/claim", headers=dana).status_code == 200
    claimed = _scrape(local)
    assert _value(claimed, "tandem_handoff_queue_depth", status="waiting") == 0
    assert _value(claimed, "tandem_handoff_queue_depth", status="claimed") == 1
    assert _value(claimed, "tandem_handoff_wait_seconds_count") == (
        _value(after, "tandem_handoff_wait_seconds_count") + 1
    )

    reply = {"text": "Dana here."}
    assert local.client.post(f"/v1/queue/{handed}/reply", json=reply, headers=dana).is_success
    replied = _scrape(local)
    # The agent's turn is timed but skips the admission gate, so it waited for none.
    assert _value(replied, "tandem_turn_duration_seconds_count", kind="agent") == (
        _value(claimed, "tandem_turn_duration_seconds_count", kind="agent") + 1
    )
    assert _value(replied, "tandem_admission_wait_seconds_count") == (
        _value(claimed, "tandem_admission_wait_seconds_count")
    )


def test_other_hosts_may_not_read_the_metrics(api):
    response = api.client.get("/metrics")  # TestClient's host is "testclient"
    assert response.status_code == 403
    assert response.json()["code"] == "metrics_forbidden"
    assert response.headers["content-type"] == "application/problem+json"


def test_the_metrics_token_opens_them_to_any_host_and_only_with_it(server_settings, services):
    server_settings.metrics_token = SecretStr("s3cret-metrics")
    with TestClient(create_app(server_settings, services)) as client:
        assert client.get("/metrics").status_code == 403
        wrong = {"Authorization": "Bearer nope"}
        assert client.get("/metrics", headers=wrong).status_code == 403
        right = {"Authorization": "Bearer s3cret-metrics"}
        assert client.get("/metrics", headers=right).status_code == 200
    with TestClient(create_app(server_settings, services), client=LOOPBACK) as client:
        assert client.get("/metrics").status_code == 403  # with a token, loopback needs it too


INCREMENT = """
from conversations import instruments
instruments.TURNS.labels("customer", "done", "rules").inc(3)
instruments.HANDOFFS.labels("complaint").inc()
"""

EXPOSE = """
import sys
from server.routes.prometheus import exposition
sys.stdout.write(exposition(lambda statuses: []).decode())
"""


def test_several_processes_add_up_with_a_multiprocess_directory(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", INCREMENT], env=env, check=True, timeout=120)
    text = subprocess.run(
        [sys.executable, "-c", EXPOSE], env=env, check=True, timeout=120,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert _value(text, "tandem_turns_total", kind="customer", outcome="done") == 6
    assert _value(text, "tandem_handoffs_total", reason="complaint") == 2
    assert _value(text, "tandem_handoff_queue_depth", status="waiting") == 0
