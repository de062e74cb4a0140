"""Two `tandem serve` processes on the same AWS stores behave as one service.

Both run on the DynamoDB checkpointer and the DynamoDB server store (moto_server), take
conversation leases in DynamoDB, and fan live events out through a real redis-server. The
tests show: one turn at a time per conversation across processes with a linear checkpoint
history; an agent reply posted through one process reaching the customer's stream held by
the other; a conversation whose holder was killed mid-turn taken over once its lease lapses.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from cloud.aws import aws_client
from conversations.lease import ensure_lease_table
from conversations.server_table import server_table_spec
from memory.dynamodb import create_checkpoint_table, dynamodb_saver
from memory.dynamodb_tables import ensure_table
from server.auth.local_issuer import LocalIssuer
from tests.integration.conftest import MOTO_REGION
from tests.integration.server_processes import (
    ServerProcess,
    StreamWatcher,
    read_turn,
    seed_data_dir,
)

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket, pytest.mark.timeout(600)]

LEASE_TTL_SECONDS = 8
"""Long enough that a loaded machine still asks the survivor before a killed holder's lease
lapses (the killed-holder test asserts the conversation is blocked until then)."""
CUSTOMER = "alex_morgan_1001"
PACED_MODEL = "paced:15"
"""A scripted model streaming its reply over ~3 s, so turns overlap when fired together."""


class Cluster:
    """The shared settings of the server processes, and tokens their issuer signs."""

    def __init__(
        self, env: dict[str, str], folder: Path, issuer: LocalIssuer, tables: dict[str, str]
    ):
        self.env = env
        self.folder = folder
        self.issuer = issuer
        self.tables = tables
        self.moto = env["TANDEM_DYNAMODB_ENDPOINT_URL"]

    def launch(self, name: str) -> ServerProcess:
        return ServerProcess(name, self.env, self.folder)

    def customer(self) -> dict[str, str]:
        token = self.issuer.issue(CUSTOMER, "customer", customer_id=CUSTOMER)
        return {"Authorization": f"Bearer {token}"}

    def agent(self, sub: str = "dana") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.issue(sub, 'agent')}"}

    def checkpoints(self, conversation_id: str) -> list[Any]:
        saver = dynamodb_saver(self.tables["checkpoints"], MOTO_REGION, self.moto)
        return list(saver.list({"configurable": {"thread_id": conversation_id}}))


@pytest.fixture(scope="module")
def cluster(
    serial_moto_endpoint: str,
    redis_url: str,
    shared_backends: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Cluster:
    # Lease takeovers race across processes: they need DynamoDB's atomic conditional writes.
    moto_endpoint = serial_moto_endpoint
    folder = tmp_path_factory.mktemp("two-servers")
    suffix = uuid.uuid4().hex[:8]
    tables = {
        "checkpoints": f"cp-{suffix}",
        "server": f"srv-{suffix}",
        "leases": f"lease-{suffix}",
    }
    client = aws_client("dynamodb", MOTO_REGION, moto_endpoint)
    create_checkpoint_table(tables["checkpoints"], MOTO_REGION, moto_endpoint)
    ensure_table(client, server_table_spec(tables["server"]))
    assert ensure_lease_table(client, tables["leases"]) is True
    assert ensure_lease_table(client, tables["leases"]) is False
    data_dir = folder / "data"
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(data_dir),
        "TANDEM_AWS_REGION": MOTO_REGION,
        "TANDEM_DYNAMODB_ENDPOINT_URL": moto_endpoint,
        "TANDEM_CHECKPOINTER": "dynamodb",
        "TANDEM_CHECKPOINT_TABLE": tables["checkpoints"],
        "TANDEM_SERVER_STORE_BACKEND": "dynamodb",
        "TANDEM_SERVER_TABLE": tables["server"],
        "TANDEM_LEASE_BACKEND": "dynamodb",
        "TANDEM_LEASE_TABLE": tables["leases"],
        "TANDEM_LEASE_TTL_SECONDS": str(LEASE_TTL_SECONDS),
        "TANDEM_REDIS_URL": redis_url,
        "TANDEM_MODEL": PACED_MODEL,
        "TANDEM_CONCURRENT_TURNS": "reject",
        "TANDEM_AUTH_MODE": "local",
        "TANDEM_RATE_LIMIT_PER_MINUTE": "100000",
        "TANDEM_WORKER_THREADS": "16",
    }
    return Cluster(env, folder, seed_data_dir(shared_backends, data_dir), tables)


@pytest.fixture(scope="module")
def servers(cluster: Cluster) -> Iterator[dict[str, ServerProcess]]:
    """Servers a and b, and a third one the last test kills."""
    started = {"a": cluster.launch("server-a").wait_ready()}  # the first one seeds data/
    try:
        started["b"] = cluster.launch("server-b")
        started["victim"] = cluster.launch("server-victim")
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture
def pair(servers: dict[str, ServerProcess]) -> tuple[ServerProcess, ServerProcess]:
    return servers["a"], servers["b"]


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(30.0, read=60.0)) as client:
        yield client


def _new_conversation(http: httpx.Client, server: ServerProcess, cluster: Cluster) -> str:
    response = http.post(
        f"{server.url}/v1/conversations", json={"channel": "web"}, headers=cluster.customer()
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(
    http: httpx.Client, server: ServerProcess, cluster: Cluster, conversation: str, text: str
) -> tuple[int, list[dict[str, Any]]]:
    url = f"{server.url}/v1/conversations/{conversation}/messages"
    with http.stream("POST", url, json={"text": text}, headers=cluster.customer()) as response:
        if response.status_code != 200:
            response.read()
            return response.status_code, [response.json()]
        return 200, read_turn(response)


def _assert_linear(checkpoints: list[Any]) -> None:
    """No two checkpoints share a parent, and exactly one has none: a single chain."""
    parents = [
        c.parent_config["configurable"]["checkpoint_id"] for c in checkpoints if c.parent_config
    ]
    assert len(parents) == len(set(parents)), "two checkpoints share a parent (a fork)"
    assert len(checkpoints) - len(parents) == 1
    ids = {c.config["configurable"]["checkpoint_id"] for c in checkpoints}
    assert set(parents) <= ids


def test_one_turn_at_a_time_across_processes(pair, cluster, http):
    first, second = pair
    conversation = _new_conversation(http, first, cluster)
    rounds = 3
    for turn in range(rounds):
        gate = threading.Barrier(4)

        def post(
            server: ServerProcess, n: int = turn, gate: threading.Barrier = gate
        ) -> tuple[int, list[dict[str, Any]]]:
            gate.wait()
            return _say(http, server, cluster, conversation, f"hello, message {n}")

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(post, [first, second, first, second]))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 409, 409, 409], results
        (events,) = [events for status, events in results if status == 200]
        assert events[-1]["type"] == "done", events
        for status, body in results:
            if status == 409:
                assert body[0]["code"] == "turn_in_progress"

    _assert_linear(cluster.checkpoints(conversation))
    response = http.get(
        f"{second.url}/v1/conversations/{conversation}/messages", headers=cluster.customer()
    )
    roles = [m["role"] for m in response.json()["items"]]
    assert roles == ["customer", "bot"] * rounds, roles


def test_agent_reply_through_one_process_reaches_a_stream_on_the_other(pair, cluster, http):
    first, second = pair
    conversation = _new_conversation(http, first, cluster)
    queue_on_first = StreamWatcher(http, f"{first.url}/v1/queue/events", cluster.agent("sam"))
    try:
        status, events = _say(
            http, first, cluster, conversation, "this is the third time I ask, get me a human"
        )
        assert status == 200 and events[-1]["waiting_for_human"] is True
        # The handoff, published on the first process, shows the queue stream is live.
        queue_on_first.wait_for(lambda e: e.get("entry", {}).get("conversation_id") == conversation)
        customer_on_first = StreamWatcher(
            http, f"{first.url}/v1/conversations/{conversation}/events", cluster.customer()
        )
        try:
            claim = http.post(
                f"{second.url}/v1/queue/{conversation}/claim", headers=cluster.agent()
            )
            assert claim.status_code == 200, claim.text
            text = "Hi Alex, Dana here. I have refunded the shipping fee."
            reply = http.post(
                f"{second.url}/v1/queue/{conversation}/reply",
                json={"text": text},
                headers=cluster.agent(),
            )
            assert reply.status_code == 200, reply.text
            message = customer_on_first.wait_for(lambda e: e.get("type") == "agent_message")
            assert message["text"] == text
            assert message["id"] > events[-1]["id"]
            claimed = queue_on_first.wait_for(
                lambda e: e.get("entry", {}).get("claimed_by") == "dana"
            )
            assert claimed["entry"]["conversation_id"] == conversation
            done = customer_on_first.wait_for(lambda e: e.get("type") == "done")
            assert done["id"] > message["id"]
        finally:
            customer_on_first.close()
    finally:
        queue_on_first.close()
    _assert_linear(cluster.checkpoints(conversation))


def test_a_killed_holder_blocks_the_conversation_only_until_its_lease_lapses(
    servers, cluster, http
):
    survivor, victim = servers["b"], servers["victim"]
    last_id = 0
    try:
        conversation = _new_conversation(http, victim, cluster)
        url = f"{victim.url}/v1/conversations/{conversation}/messages"
        with http.stream(
            "POST", url, json={"text": "hello there"}, headers=cluster.customer()
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("id:"):
                    last_id = int(line[3:])
                if line.startswith("event:") and line.split(":", 1)[1].strip() == "token":
                    break  # mid-turn: the victim holds the lease and is drafting
            victim.kill()
    finally:
        victim.kill()

    status, body = _say(http, survivor, cluster, conversation, "are you still there?")
    assert status == 409, body

    # Once the dead holder's lease lapses, a live server takes the interrupted turn over and
    # finishes it from its checkpoint: the client resuming its stream gets the rest and `done`.
    events_url = f"{survivor.url}/v1/conversations/{conversation}/events?until_done=true"
    headers = {**cluster.customer(), "Last-Event-ID": str(last_id)}
    with http.stream("GET", events_url, headers=headers) as response:
        rest = read_turn(response)
    assert rest[-1]["type"] == "done" and rest[-1]["reply"], rest
    assert all(event["id"] > last_id for event in rest)

    deadline = time.monotonic() + 10 * LEASE_TTL_SECONDS
    while status == 409 and time.monotonic() < deadline:
        time.sleep(0.5)
        status, body = _say(http, survivor, cluster, conversation, "are you still there?")
    assert status == 200, body
    assert body[-1]["type"] == "done" and body[-1]["reply"]
    _assert_linear(cluster.checkpoints(conversation))
