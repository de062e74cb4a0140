"""The crash benchmark's setting: server processes, the client's stream, the order's records.

`bench.crash_points` uses these to start `tandem serve` processes on one data folder, send
the customer's messages and resume their streams as a browser would, and read the order
store and the server store directly to check what a crash left behind. `prepare` sets the
conversations up in-process, through the same runtime (`wiring.turns.open_turns`) the
server runs turns with.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.load_targets import LOOPBACK, free_port
from bench.server_process import CUSTOMER, customer_token

ORDER = "#W1234567"
SETUP = ("I want to cancel order #W1234567", "I no longer need it")
CONFIRM = "yes"
READY_SECONDS = 240.0
TURN_SECONDS = 60.0

Event = dict[str, Any]


class Server:
    """One `tandem serve` on a free loopback port, in its own process group."""

    def __init__(self, data_dir: Path, log: Path, extra: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        env = {**os.environ, **server_env(data_dir), **(extra or {})}
        tandem = Path(sys.executable).with_name("tandem")
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(tandem), "serve", "--host", LOOPBACK, "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.log = log

    def wait_ready(self) -> Server:
        """Block until /healthz answers."""
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready:\n{self.log.read_text()[-3000:]}")

    def wait_exit(self, timeout: float = 30) -> int:
        """Wait for the process to end (it kills itself); SIGKILL it after `timeout`."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL the process group."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def server_env(data_dir: Path) -> dict[str, str]:
    """Settings of every server of the benchmark (embedded profile, quick lease lapse)."""
    return {
        "TANDEM_DATA_DIR": str(data_dir),
        "TANDEM_AUTH_MODE": "local",
        "TANDEM_MODEL": "",
        "TANDEM_LEASE_TTL_SECONDS": "1",
        "TANDEM_TURN_RECOVERY_SECONDS": "0.3",
        "TANDEM_RATE_LIMIT_PER_MINUTE": "100000",
        "TANDEM_WORKER_THREADS": "8",
        "TANDEM_FAULT_KILL_AT": "",
        "TANDEM_SERVE_WORKERS": "1",
    }


def customer_headers(data_dir: Path) -> dict[str, str]:
    """A customer token for the demo customer, signed with the data folder's local key."""
    return {"Authorization": f"Bearer {customer_token(data_dir)}"}


def sse_events(lines: Iterator[str]) -> Iterator[Event]:
    """Parse SSE lines into events carrying their `id`."""
    current: Event = {}
    for line in lines:
        if line.startswith("id:"):
            current["id"] = int(line[3:].strip())
        elif line.startswith("data:"):
            current.update(json.loads(line[5:].strip()))
        elif line == "" and current:
            yield current
            current = {}


def read_until_end(response: httpx.Response, into: list[Event]) -> None:
    """Append events until the turn's `done`/`error` or the connection drops."""
    try:
        for event in sse_events(response.iter_lines()):
            into.append(event)
            if event.get("type") in ("done", "error"):
                return
    except (httpx.HTTPError, json.JSONDecodeError):
        return  # the server died mid-stream


def say(server: Server, headers: dict[str, str], conversation: str, text: str) -> list[Event]:
    """Send a message and read its streamed turn (cut short if the server dies)."""
    events: list[Event] = []
    url = f"{server.url}/v1/conversations/{conversation}/messages"
    try:
        with httpx.stream(
            "POST", url, json={"text": text}, headers=headers, timeout=TURN_SECONDS
        ) as response:
            if response.status_code != 200:
                response.read()
                raise RuntimeError(f"{response.status_code}: {response.text}")
            read_until_end(response, events)
    except httpx.TransportError:
        pass  # killed before or while answering
    return events


def resume(server: Server, headers: dict[str, str], conversation: str, last_id: int) -> list[Event]:
    """Follow the conversation from `last_id` (Last-Event-ID) to the turn's end."""
    events: list[Event] = []
    url = f"{server.url}/v1/conversations/{conversation}/events?until_done=true"
    with httpx.stream(
        "GET", url, headers={**headers, "Last-Event-ID": str(last_id)}, timeout=TURN_SECONDS
    ) as response:
        response.raise_for_status()
        read_until_end(response, events)
    return events


def persisted_ids(data_dir: Path, conversation: str) -> list[int]:
    """The ids of the conversation's persisted events, from the server store."""
    with sqlite3.connect(data_dir / "queue.sqlite") as conn:
        rows = conn.execute(
            "SELECT seq FROM events WHERE conversation_id = ? ORDER BY seq", (conversation,)
        ).fetchall()
    return [int(row[0]) for row in rows]


def refunds(data_dir: Path) -> tuple[str, int]:
    """The order's status and the number of refunds in its payment history."""
    with sqlite3.connect(data_dir / "orders.sqlite") as conn:
        doc = json.loads(
            conn.execute("SELECT doc FROM orders WHERE id = ?", (ORDER,)).fetchone()[0]
        )
    history = doc.get("payment_history", [])
    return str(doc["status"]), sum(p["transaction_type"] == "refund" for p in history)


def open_turns(data_dir: Path, conversation: str) -> int:
    """Whether the server store still records a turn of the conversation as running."""
    with sqlite3.connect(data_dir / "queue.sqlite") as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM open_turns WHERE conversation_id = ?", (conversation,)
        ).fetchone()
    return int(row[0])


@dataclass
class Prepared:
    """A data folder holding conversations that each await the customer's "yes"."""

    folder: Path
    conversations: list[str]
    events_of_confirm: int
    """Events the "yes" turn publishes when nothing crashes."""
    originals: dict[str, tuple[str, str]]
    """The order's and the customer's records before any cancellation: table -> (id, doc)."""


async def _setup(folder: Path, count: int) -> tuple[list[str], int]:
    from config.settings import Settings
    from graphs.context import Context
    from graphs.turns import new_conversation_id
    from wiring.root import Root
    from wiring.turns import open_turns

    settings = Settings(
        data_dir=folder, auth_mode="local", model="", lease_ttl_seconds=1, turn_recovery_seconds=0
    )
    context = Context(customer_id=CUSTOMER)
    async with open_turns(Root(settings)) as turns:

        async def turn(conversation: str, text: str) -> list[Event]:
            cursor = await turns.runner.start_customer_turn(conversation, text, "web", context)
            follow = turns.hub.follow(conversation, cursor, until_done=True)
            return [{**event, "id": seq} async for seq, event in follow]

        conversations = []
        for _ in range(count + 1):
            conversation = new_conversation_id()
            turns.store.create_conversation(conversation, CUSTOMER, "web")
            for text in SETUP:
                end = (await turn(conversation, text))[-1]
                assert end["type"] == "done", end
            conversations.append(conversation)
        probe = await turn(conversations.pop(), CONFIRM)
    assert probe[-1]["type"] == "done" and "cancel" in probe[-1]["reply"].lower(), probe[-1]
    return conversations, len(probe)


def prepare(folder: Path, count: int) -> Prepared:
    """Set up `count` conversations awaiting "yes" (plus one confirmed, to count events).

    They are set up in-process, through the same runtime the server runs turns with.
    """
    customer_headers(folder)  # creates the signing key before any server starts
    originals = records(folder)
    conversations, events = asyncio.run(_setup(folder, count))
    assert refunds(folder) == ("cancelled", 1), refunds(folder)
    return Prepared(folder, conversations, events, originals)


def records(folder: Path) -> dict[str, tuple[str, str]]:
    """The order's and the customer's stored documents."""
    from config.settings import Settings
    from wiring.backends import open_order_store

    store: Any = open_order_store(Settings(data_dir=folder))  # seeds the demo shop
    store.close()
    with sqlite3.connect(folder / "orders.sqlite") as conn:
        order = conn.execute("SELECT doc FROM orders WHERE id = ?", (ORDER,)).fetchone()[0]
        user = conn.execute("SELECT doc FROM users WHERE id = ?", (CUSTOMER,)).fetchone()[0]
    return {"orders": (ORDER, order), "users": (CUSTOMER, user)}


def reset_order(folder: Path, originals: dict[str, tuple[str, str]]) -> None:
    """Put the order (pending) and the customer's balances back as they were."""
    with sqlite3.connect(folder / "orders.sqlite") as conn:
        key, doc = originals["orders"]
        conn.execute("UPDATE orders SET doc = ?, status = 'pending' WHERE id = ?", (doc, key))
        key, doc = originals["users"]
        conn.execute("UPDATE users SET doc = ? WHERE id = ?", (doc, key))
