"""Worker processes on the embedded profile: any worker answers any request of a conversation.

`tandem serve --workers N` starts N processes on one socket, sharing the data folder (SQLite
checkpoints, server store and lease). Which worker takes a connection is the kernel's choice,
so the resume test starts two single-worker servers on one data folder, the same sharing
with the choice made explicit: a turn begun on one, its stream resumed on the other by
`Last-Event-ID`, the next turn on the other, and the whole event log read back from the first
shows every event once, in order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.server_processes import ServerProcess, read_turn, seed_data_dir, sse_events

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket, pytest.mark.timeout(600)]

CUSTOMER = "alex_morgan_1001"


@pytest.fixture(scope="module")
def shared_folder(
    shared_backends: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], Path, dict[str, str]]:
    """Settings for servers sharing one data folder, and a customer's headers."""
    folder = tmp_path_factory.mktemp("workers")
    data_dir = folder / "data"
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(data_dir),
        "TANDEM_MODEL": "paced:15",  # a ~3 s reply: there is time to move the stream
        "TANDEM_AUTH_MODE": "local",
        "TANDEM_RATE_LIMIT_PER_MINUTE": "100000",
        "TANDEM_WORKER_THREADS": "16",
    }
    token = seed_data_dir(shared_backends, data_dir).issue(
        CUSTOMER, "customer", customer_id=CUSTOMER
    )
    return env, folder, {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def two_workers(shared_folder) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    env, folder, _ = shared_folder
    first = ServerProcess("worker-a", env, folder).wait_ready()  # the first one seeds data/
    second = ServerProcess("worker-b", env, folder)
    try:
        yield first, second.wait_ready()
    finally:
        first.stop()
        second.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(30.0, read=60.0)) as client:
        yield client


def _new_conversation(http: httpx.Client, server: ServerProcess, headers: dict[str, str]) -> str:
    response = http.post(f"{server.url}/v1/conversations", json={}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _ids(events: list[dict[str, Any]]) -> list[int]:
    return [e["id"] for e in events]


def test_a_stream_resumes_on_the_other_worker_without_losing_or_repeating_events(
    two_workers, shared_folder, http
):
    first, second = two_workers
    headers = shared_folder[2]
    conversation = _new_conversation(http, first, headers)
    url = f"/v1/conversations/{conversation}"

    head: list[dict[str, Any]] = []
    with http.stream(
        "POST", f"{first.url}{url}/messages", json={"text": "what is your return policy?"},
        headers=headers,
    ) as response:  # fmt: skip
        assert response.status_code == 200
        for event in sse_events(response.iter_lines()):
            head.append(event)
            if sum(e["type"] == "token" for e in head) >= 2:
                break  # the customer's connection drops mid-reply
    cursor = head[-1]["id"]

    with http.stream(
        "GET", f"{second.url}{url}/events", params={"until_done": "true"},
        headers={**headers, "Last-Event-ID": str(cursor)},
    ) as response:  # fmt: skip
        assert response.status_code == 200
        rest = read_turn(response)
    assert rest and rest[-1]["type"] == "done", rest
    assert all(event_id > cursor for event_id in _ids(rest))
    first_turn = head + rest
    assert _ids(first_turn) == sorted(set(_ids(first_turn))), "in order, none twice"
    shown = "".join(e["text"] for e in head if e["type"] == "token")
    reply = rest[-1]["reply"]
    assert shown and reply.startswith(shown), "the done event carries the whole reply"

    with http.stream(
        "POST", f"{second.url}{url}/messages", json={"text": "thanks"}, headers=headers
    ) as response:
        assert response.status_code == 200
        second_turn = read_turn(response)
    assert second_turn[-1]["type"] == "done"
    assert min(_ids(second_turn)) > rest[-1]["id"], "numbering continues on the other worker"

    with http.stream(
        "GET", f"{first.url}{url}/events", params={"after": 0},
        headers=headers,
    ) as response:  # fmt: skip
        everything = [e for e in _read_all(response) if e["type"] != "token"]
    persisted = [e for e in first_turn + second_turn if e["type"] != "token"]
    assert _ids(everything) == sorted(set(_ids(everything)))
    assert [(e["id"], e["type"]) for e in everything] == [
        (e["id"], e["type"]) for e in persisted
    ], "every persisted event of both turns, once, whichever worker ran it"


def _read_all(response: httpx.Response) -> list[dict[str, Any]]:
    """Events until the second `done` (both turns; the stream itself stays open)."""
    events: list[dict[str, Any]] = []
    for event in sse_events(response.iter_lines()):
        events.append(event)
        if sum(e["type"] == "done" for e in events) == 2:
            break
    return events


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def test_serve_with_two_workers_starts_two_processes_that_serve_turns(shared_folder, http):
    env, folder, headers = shared_folder
    server = ServerProcess("two-workers", env, folder, workers=2).wait_ready()
    try:
        workers = [
            child
            for child in _children(server.proc.pid)
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text()
        ]
        assert len(workers) == 2, workers
        for _ in range(3):  # new connections: the kernel spreads them over the workers
            conversation = _new_conversation(http, server, headers)
            with http.stream(
                "POST", f"{server.url}/v1/conversations/{conversation}/messages",
                json={"text": "thanks"}, headers=headers,
            ) as response:  # fmt: skip
                assert response.status_code == 200
                events = read_turn(response)
            assert events[0]["type"] == "customer_message"
            assert events[-1]["type"] == "done" and events[-1]["reply"]
        # Whichever worker answers /metrics counts the turns of both.
        assert _customer_turns(http.get(f"{server.url}/metrics").text) == 3
    finally:
        server.stop()
    assert server.proc.returncode is not None
    for worker in workers:
        assert not Path(f"/proc/{worker}").exists() or _zombie(worker), "workers stop with it"


def _customer_turns(exposition: str) -> float:
    """The customer turns counted in a Prometheus text exposition."""
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "tandem_turns_total" and sample.labels.get("kind") == "customer"
    )


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
