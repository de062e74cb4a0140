"""Crash benchmark: kill -9 a server at many points of a turn that cancels an order.

Prepares a conversation on the embedded profile in which the demo customer has asked to
cancel a pending order and the assistant asks them to confirm. Then, for each crash point,
on a fresh copy of that data folder: a `tandem serve` process set to SIGKILL itself just
before or just after its Nth published event (`TANDEM_FAULT_KILL_AT`) takes the customer's
"yes" and dies mid-turn; a second process starts on the same folder, and the client, as a
browser would, resumes the stream with the Last-Event-ID it last saw. Checked per point:

- the order was cancelled exactly once (one refund in its payment history) or, when the
  crash came before the write, not at all and the customer was told nothing changed;
- the resumed stream repeats no id the client saw, skips no persisted event after it, and
  ends with the turn's `done` or `error`;
- when it ends with `done`, the order is cancelled and the reply says so.

    .venv/bin/python -m bench.crash_points [--points 40] [--keep-data]

Prints one line per point and the counts at the end (points, crashes, resumed `done`,
`error` closings, exactly-once violations, id violations, turns left open).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CUSTOMER = "alex_morgan_1001"
ORDER = "#W1234567"
SETUP = ("I want to cancel order #W1234567", "I no longer need it")
CONFIRM = "yes"
READY_SECONDS = 240.0
TURN_SECONDS = 60.0

Event = dict[str, Any]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One `tandem serve` on a free loopback port, in its own process group."""

    def __init__(self, data_dir: Path, log: Path, extra: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **server_env(data_dir), **(extra or {})}
        tandem = Path(sys.executable).with_name("tandem")
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(tandem), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
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
    }


def customer_headers(data_dir: Path) -> dict[str, str]:
    """A customer token for the demo customer, signed with the data folder's local key."""
    from config.settings import Settings
    from server.auth.local_issuer import issuer_from_settings

    issuer = issuer_from_settings(Settings(data_dir=data_dir, auth_mode="local"))
    token = issuer.issue(CUSTOMER, "customer", customer_id=CUSTOMER)
    return {"Authorization": f"Bearer {token}"}


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


@dataclass
class Outcome:
    """What one crash point came to."""

    point: str
    crashed: bool
    seen: list[int]
    resumed: list[Event]
    status: str = ""
    refunds: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def end(self) -> str:
        """The type of the turn's last event (seen before the crash or resumed after it)."""
        return self.resumed[-1]["type"] if self.resumed else "-"


def crash_points(events: int, wanted: int) -> list[str]:
    """`before:N` and `after:N` over the turn's events, spread to `wanted` points."""
    every = [f"{when}:{n}" for n in range(1, events + 1) for when in ("before", "after")]
    if len(every) <= wanted:
        return every
    step = len(every) / wanted
    return [every[int(i * step)] for i in range(wanted)]


@dataclass
class Crash:
    """A "yes" turn cut short at `point`: what its client saw."""

    point: str
    conversation: str
    seen: list[Event]
    last_id: int
    crashed: bool


def crash(prepared: Prepared, server: Server, point: str, conversation: str) -> Crash:
    """Send "yes" to a server set to die at `point`; wait for it to die."""
    headers = customer_headers(prepared.folder)
    before = max(persisted_ids(prepared.folder, conversation))
    reset_order(prepared.folder, prepared.originals)
    try:
        seen = say(server, headers, conversation, CONFIRM)
        code = server.wait_exit()
    finally:
        server.kill()
    last = max((int(e["id"]) for e in seen if "id" in e), default=before)
    return Crash(point, conversation, seen, last, code == -signal.SIGKILL)


def recover(prepared: Prepared, server: Server, cut: Crash) -> Outcome:
    """On the restarted `server`, resume the client's stream and check every invariant."""
    headers = customer_headers(prepared.folder)
    ended = bool(cut.seen) and cut.seen[-1]["type"] in ("done", "error")
    resumed = cut.seen[-1:] if ended else resume(server, headers, cut.conversation, cut.last_id)
    seen_ids = [int(e["id"]) for e in cut.seen if "id" in e]
    outcome = Outcome(cut.point, cut.crashed, seen_ids, resumed)
    outcome.status, outcome.refunds = refunds(prepared.folder)
    _check(outcome, cut, prepared.folder, ended)
    deadline = time.monotonic() + 5
    while open_turns(prepared.folder, cut.conversation) and time.monotonic() < deadline:
        time.sleep(0.05)
    if open_turns(prepared.folder, cut.conversation):
        outcome.problems.append("the turn is still recorded as running")
    return outcome


def _check(outcome: Outcome, cut: Crash, folder: Path, ended: bool) -> None:
    problems = outcome.problems
    resumed_ids = [] if ended else [int(e["id"]) for e in outcome.resumed]
    if set(resumed_ids) & set(outcome.seen):
        problems.append("an event id was delivered twice")
    if resumed_ids != sorted(set(resumed_ids)) or any(i <= cut.last_id for i in resumed_ids):
        problems.append("resumed ids are not strictly after Last-Event-ID")
    end = outcome.resumed[-1] if outcome.resumed else {}
    if end.get("type") not in ("done", "error"):
        problems.append("the turn has no done/error")
    final = int(end.get("id", 0))
    persisted = persisted_ids(folder, cut.conversation)
    missing = [i for i in persisted if cut.last_id < i <= final and i not in resumed_ids]
    if missing and not ended:
        problems.append(f"persisted events skipped: {missing}")
    if outcome.refunds > 1 or (outcome.status == "cancelled") != (outcome.refunds == 1):
        problems.append(f"order {outcome.status} with {outcome.refunds} refunds")
    if end.get("type") == "done" and outcome.status != "cancelled":
        problems.append("done, but the order was not cancelled")
    if end.get("type") == "done" and "cancel" not in str(end.get("reply", "")).lower():
        problems.append("done, but the reply does not confirm the cancellation")
    detail = str(end.get("detail", ""))
    if end.get("type") == "error" and outcome.status == "cancelled" and "cancelled" not in detail:
        problems.append("error does not say the order was cancelled")


def run(folder: Path, wanted: int, points: list[str] | None = None) -> list[Outcome]:
    """Prepare `folder` and crash a turn at each point (spread over the turn by default).

    Each restarted server both recovers the previous point's turn and is set to die at the
    next point, so every point costs one server start.
    """
    prepared = prepare(folder, wanted if points is None else len(points))
    points = points or crash_points(prepared.events_of_confirm, wanted)
    print(f"uninterrupted turn: {prepared.events_of_confirm} events; {len(points)} points")
    outcomes: list[Outcome] = []
    cut: Crash | None = None
    for index, point in enumerate([*points, ""]):
        log = folder / f"server-{index:02d}.log"
        server = Server(folder, log, {"TANDEM_FAULT_KILL_AT": point}).wait_ready()
        try:
            if cut is not None:
                outcome = recover(prepared, server, cut)
                outcomes.append(outcome)
                print(
                    f"{outcome.point:>10}  crashed={outcome.crashed!s:5}  "
                    f"seen={len(outcome.seen):3}  end={outcome.end:6} "
                    f"order={outcome.status:9} refunds={outcome.refunds}  "
                    f"{'; '.join(outcome.problems) or 'ok'}",
                    flush=True,
                )
            if point:
                cut = crash(prepared, server, point, prepared.conversations[index])
        finally:
            server.stop()
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print per-point outcomes and totals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--points", type=int, default=40, help="crash points to run")
    parser.add_argument("--keep-data", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tandem-crash-"))
    started = time.perf_counter()
    try:
        outcomes = run(work / "data", args.points)
    finally:
        if args.keep_data:
            print(f"data kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    totals = {
        "points": len(outcomes),
        "crashed": sum(o.crashed for o in outcomes),
        "ended_done": sum(o.end == "done" for o in outcomes),
        "ended_error": sum(o.end == "error" for o in outcomes),
        "cancelled_once": sum(o.status == "cancelled" and o.refunds == 1 for o in outcomes),
        "not_cancelled": sum(o.status != "cancelled" for o in outcomes),
        "double_refunds": sum(o.refunds > 1 for o in outcomes),
        "points_with_problems": sum(bool(o.problems) for o in outcomes),
    }
    print(" ".join(f"{key}={value}" for key, value in totals.items()))
    print(f"seconds={time.perf_counter() - started:.1f}")
    return 1 if totals["points_with_problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
