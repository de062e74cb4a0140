"""`langgraph dev` serves the graph from langgraph.json; a run completes through langgraph-sdk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.loopback import free_port, wait_until_ready

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    folder = tmp_path_factory.mktemp("langgraph-dev")
    log = folder / "server.log"
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(folder / "data"),
        "TANDEM_MODEL": "",
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    }
    cli = Path(sys.executable).with_name("langgraph")
    command = [
        str(cli),
        "dev",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
        "--no-reload",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{url}/ok", proc, log, "langgraph dev", timeout=120)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_run_completes_through_the_sdk(dev_server):
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=dev_server)
    assistants = client.assistants.search(graph_id="support")
    assert assistants, "langgraph.json's graph is registered"
    thread = client.threads.create()
    result = client.runs.wait(
        thread["thread_id"],
        "support",
        input={"messages": [{"role": "user", "content": "where is my order #W1234567?"}]},
        context={"customer_id": "alex_morgan_1001"},
    )
    reply = result["messages"][-1]["content"]
    assert "#W1234567" in reply and "pending" in reply


def test_handoff_interrupts_and_resumes_through_the_sdk(dev_server):
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=dev_server)
    thread = client.threads.create()
    client.runs.wait(
        thread["thread_id"],
        "support",
        input={"messages": [{"role": "user", "content": "get me a human please"}]},
        context={"customer_id": "alex_morgan_1001"},
    )
    state = client.threads.get_state(thread["thread_id"])
    interrupts = [i for task in state["tasks"] for i in task.get("interrupts", [])]
    assert interrupts and interrupts[0]["value"]["reason"] == "explicit_request"
    result = client.runs.wait(
        thread["thread_id"],
        "support",
        command={"resume": {"action": "reply", "message": "Hi, Dana here.", "agent": "Dana"}},
        context={"customer_id": "alex_morgan_1001"},
    )
    assert result["messages"][-1]["content"] == "Hi, Dana here."
    assert result["handoff"]["status"] == "human"
