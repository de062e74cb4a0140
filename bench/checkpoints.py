"""Checkpointer latency and DynamoDB calls per chat turn: SQLite vs the DynamoDB API.

Starts its own moto_server on a free loopback port, creates the checkpoint table there,
and prints two tables:

1. `put` and `get_tuple` (latest and by id) latency p50/p99 for a real support-graph
   checkpoint, on the SQLite checkpointer (WAL, on disk), on `DynamoDBSaver` talking
   to moto_server over HTTP, and on `StepFlushSaver` (the AWS profile's wrapper, whose
   `put` only buffers: its "get latest" includes writing the preceding put), with the
   number of API calls each operation makes;
2. DynamoDB API calls per chat turn, by operation, for "where is my order #W1234567?"
   from alex_morgan_1001 through the support graph with the grounded drafter: plain
   `DynamoDBSaver` under checkpoint durability "sync", "async" and "exit", and
   `StepFlushSaver` under "sync"; the first turn of a conversation and a follow-up turn,
   counted over a whole channel turn (`stream_turn`, which also reads the state before
   and after the run) and over the graph run alone.

Calls are counted with a botocore `before-call.dynamodb.*` hook, i.e. logical API calls
(an SDK retry of the same call is not counted twice). "calls/turn" is the critical path:
calls made on the turn's own threads, plus each time a read waited for a background
flush already in flight; the calls `StepFlushSaver`'s flusher thread makes while the turn
goes on are shown apart as "background". Latencies against moto_server
measure the client, HTTP on loopback (moto_server closes the connection after every
response) and the emulator, not DynamoDB's service time. moto's Query walks every item
in the table, so the bench deletes each finished thread to keep the table small.

    .venv/bin/python -m bench.checkpoints [--samples 300] [--conversations 10]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, copy_checkpoint
from langgraph.checkpoint.base.id import uuid6
from rich.console import Console
from rich.table import Table

from cloud.aws import aws_session
from config.settings import Settings
from graphs.context import Context
from graphs.services import Services
from graphs.support import compile_graph
from graphs.turns import customer_input, stream_turn, turn_config
from memory.checkpointer import sqlite_saver
from memory.dynamodb import create_checkpoint_table, dynamodb_saver
from memory.step_flush import FLUSH_THREAD_NAME, StepFlushSaver
from wiring.root import Root

REGION = "eu-west-1"
TABLE = "tandem-checkpoints-bench"
CUSTOMER = "alex_morgan_1001"
MESSAGE = "where is my order #W1234567?"
DURABILITIES = ("sync", "async", "exit")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(log: Path, timeout: float = 30) -> Iterator[str]:
    """Run `moto_server` on a free 127.0.0.1 port; yield its URL and stop it afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = Path(sys.executable).with_name("moto_server")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


ITEM_KINDS = {"CHECKPOINT_": "checkpoint", "WRITES_": "write", "CHUNK_": "payload"}


class CallCounter:
    """Counts DynamoDB API calls made through one boto3 client, and the items stored.

    Calls are counted by operation name (those of `StepFlushSaver`'s flusher thread as
    `background:<name>`), the items `PutItem` stores by kind (`put:checkpoint`, `put:write`,
    `put:payload`).
    """

    def __init__(self, client: Any, saver: StepFlushSaver | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.saver = saver
        client.meta.events.register("before-call.dynamodb.*", self._count)
        client.meta.events.register("before-parameter-build.dynamodb.PutItem", self._kind)

    def _count(self, model: Any, **_kwargs: Any) -> None:
        if threading.current_thread().name == FLUSH_THREAD_NAME:
            self.calls[f"background:{model.name}"] += 1
        else:
            self.calls[model.name] += 1

    def _kind(self, params: dict[str, Any], **_kwargs: Any) -> None:
        key = params["Item"]["PK"]["S"]
        kind = next((k for prefix, k in ITEM_KINDS.items() if key.startswith(prefix)), "other")
        self.calls[f"put:{kind}"] += 1

    def measure(self, action: Callable[[], Any]) -> Counter[str]:
        """Run `action` and return the calls (and stored item kinds) it made."""
        before = Counter(self.calls)
        waits = self.saver.stats["barrier_waits"] if self.saver else 0
        action()
        if self.saver:
            # A background flush finishes before the next read returns.
            self.saver.flush()
        counted = self.calls - before
        if self.saver and self.saver.stats["barrier_waits"] > waits:
            counted["waited:flush"] = self.saver.stats["barrier_waits"] - waits
        return counted


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _thread_config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


def sample_checkpoint(graph: Any, saver: BaseCheckpointSaver[Any]) -> tuple[Any, Any, int]:
    """Run one support turn and return its latest checkpoint, metadata and payload bytes."""
    context = Context(customer_id=CUSTOMER, model="")
    graph.invoke(customer_input(MESSAGE, "bench"), turn_config("sample"), context=context)
    found = saver.get_tuple(_thread_config("sample"))
    assert found is not None
    _kind, payload = saver.serde.dumps_typed(
        {"checkpoint": found.checkpoint, "metadata": found.metadata}
    )
    return found.checkpoint, found.metadata, len(payload)


def operation_latency(
    saver: BaseCheckpointSaver[Any], checkpoint: Any, metadata: Any, samples: int
) -> dict[str, list[float]]:
    """Time `samples` puts, latest-gets and gets by id, on threads of 20 checkpoints each.

    A finished thread is deleted, which keeps the table at a steady size.
    """
    timings: dict[str, list[float]] = {"put": [], "get latest": [], "get by id": []}
    warmup, per_thread = 10, 20
    thread = ""
    head: RunnableConfig = {}
    for n in range(samples + warmup):
        if n % per_thread == 0:
            if thread:
                saver.delete_thread(thread)
            thread = f"bench-op-{n // per_thread}"
            head = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
        copy = copy_checkpoint(checkpoint)
        copy["id"] = str(uuid6(clock_seq=n))
        versions = dict(copy["channel_versions"])
        t0 = time.perf_counter()
        stored = saver.put(head, copy, metadata, versions)
        t1 = time.perf_counter()
        saver.get_tuple(_thread_config(thread))
        t2 = time.perf_counter()
        saver.get_tuple(stored)
        t3 = time.perf_counter()
        head = stored
        if n >= warmup:
            timings["put"].append((t1 - t0) * 1000)
            timings["get latest"].append((t2 - t1) * 1000)
            timings["get by id"].append((t3 - t2) * 1000)
    saver.delete_thread(thread)
    return timings


def turn_calls(
    graph: Any, counter: CallCounter | None, durability: str, conversations: int
) -> dict[str, dict[str, Any]]:
    """Calls (when counted) and latency of a first and a follow-up turn at `durability`."""
    context = Context(customer_id=CUSTOMER, model="")
    rows: dict[str, dict[str, Any]] = {}
    for label, whole_turn in (("stream_turn", True), ("graph run", False)):
        for turn in (1, 2):
            counts: list[Counter[str]] = []
            latencies: list[float] = []
            for n in range(conversations):
                thread = f"turn-{durability}-{label}-{turn}-{n}"
                if turn == 2:
                    _run(graph, thread, context, durability, whole_turn)
                action = partial(_run, graph, thread, context, durability, whole_turn)
                started = time.perf_counter()
                if counter is None:
                    action()
                else:
                    counts.append(counter.measure(action))
                latencies.append((time.perf_counter() - started) * 1000)
                graph.checkpointer.delete_thread(thread)
            rows[f"{label}, turn {turn}"] = {
                "counts": counts,
                "p50": statistics.median(latencies),
            }
    return rows


def _run(graph: Any, thread: str, context: Context, durability: str, whole_turn: bool) -> None:
    graph_input = customer_input(MESSAGE, "bench")
    if whole_turn:
        for _event in stream_turn(graph, thread, graph_input, context, durability=durability):
            pass
    else:
        graph.invoke(graph_input, turn_config(thread), context=context, durability=durability)


def _spread(totals: list[int]) -> str:
    low, high = min(totals), max(totals)
    return f"{low}" if low == high else f"{statistics.mean(totals):.1f} ({low}-{high})"


def _summarise(counts: list[Counter[str]]) -> tuple[str, str, str, str]:
    """Summarise the calls per turn as four printable cells.

    Critical-path calls per turn (with the range if it varies), by operation, PutItem by
    kind, and background calls per turn.
    """
    critical = [
        sum(v for k, v in c.items() if ":" not in k or k.startswith("waited:")) for c in counts
    ]
    background = [sum(v for k, v in c.items() if k.startswith("background:")) for c in counts]
    merged: Counter[str] = Counter()
    for c in counts:
        merged.update(c)
    mean = {k: v / len(counts) for k, v in sorted(merged.items())}
    ops = ", ".join(
        f"{k} {v:g}" for k, v in mean.items() if ":" not in k or not k.startswith("put:")
    )
    kinds = ", ".join(f"{k[4:]} {v:g}" for k, v in mean.items() if k.startswith("put:"))
    return _spread(critical), ops, kinds or "-", _spread(background)


def _measure_operations(
    services: Services,
    sqlite: BaseCheckpointSaver[Any],
    counted: dict[str, tuple[Any, CallCounter]],
    samples: int,
) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, Counter[str]]], int]:
    checkpoint, metadata, size = sample_checkpoint(compile_graph(services, sqlite), sqlite)
    timings = {"SQLite (WAL, disk)": operation_latency(sqlite, checkpoint, metadata, samples)}
    calls: dict[str, dict[str, Counter[str]]] = {}
    for backend, (saver, counter) in counted.items():
        timings[backend] = operation_latency(saver, checkpoint, metadata, samples)
        thread = f"calls-{backend}"
        head: RunnableConfig = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
        by_id: RunnableConfig = {
            "configurable": {"thread_id": thread, "checkpoint_id": checkpoint["id"]}
        }
        calls[backend] = {
            "put": counter.measure(partial(saver.put, head, checkpoint, metadata, {})),
            "get latest": counter.measure(partial(saver.get_tuple, _thread_config(thread))),
            "get by id": counter.measure(partial(saver.get_tuple, by_id)),
        }
    return timings, calls, size


def main() -> None:
    """Start moto_server, run both measurements and print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=300, help="puts/gets per backend")
    parser.add_argument("--conversations", type=int, default=10, help="per durability and turn")
    args = parser.parse_args()
    console = Console(width=190)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        settings = Settings(data_dir=data / "data", model="")
        session = aws_session(REGION, access_key_id="testing", secret_access_key="testing")
        services = Root(settings).services
        with moto_server(data / "moto.log") as url:
            create_checkpoint_table(TABLE, REGION, url, session=session)
            sqlite = sqlite_saver(data / "checkpoints.sqlite")
            dynamo = dynamodb_saver(TABLE, REGION, url, session=session)
            flushing = StepFlushSaver(dynamodb_saver(TABLE, REGION, url, session=session))
            counted = {
                "DynamoDBSaver (moto_server)": (dynamo, CallCounter(dynamo.client)),
                "StepFlushSaver (moto_server)": (
                    flushing,
                    CallCounter(flushing.inner.client, flushing),
                ),
            }
            ops, op_calls, size = _measure_operations(services, sqlite, counted, args.samples)
            on_sqlite = compile_graph(services, sqlite)
            runs = [(name, d) for d in DURABILITIES for name in ("DynamoDBSaver",)]
            runs.append(("StepFlushSaver", "sync"))
            turns = {}
            for name, durability in runs:
                saver, counter = counted[f"{name} (moto_server)"]
                on_dynamo = compile_graph(services, saver)
                turns[(name, durability)] = (
                    turn_calls(on_dynamo, counter, durability, args.conversations),
                    turn_calls(on_sqlite, None, durability, args.conversations),
                )
            flushing.close()
            sqlite.conn.close()

    table = Table(
        title=f"Checkpoint operations: {args.samples} samples, payload {size / 1024:.1f} KiB"
    )
    for column in ("backend", "operation", "p50 ms", "p99 ms", "DynamoDB calls"):
        table.add_column(column, justify="right")
    for backend, timings in ops.items():
        for op, values in timings.items():
            calls = _summarise([op_calls[backend][op]])[1] if backend in op_calls else "-"
            p50, p99 = statistics.median(values), _percentile(values, 0.99)
            table.add_row(backend, op, f"{p50:.2f}", f"{p99:.2f}", calls)
    console.print(table)

    calls_table = Table(
        title=f"DynamoDB calls per turn: {MESSAGE!r}, {args.conversations} conversations each"
    )
    for column in (
        "saver",
        "durability",
        "measured",
        "calls/turn",
        "background",
        "by operation",
        "items put",
        "p50 ms DynamoDB",
        "p50 ms SQLite",
    ):
        calls_table.add_column(column, justify="right")
    for (name, durability), (dynamo_rows, sqlite_rows) in turns.items():
        for label, row in dynamo_rows.items():
            total, by_op, kinds, background = _summarise(row["counts"])
            calls_table.add_row(
                name,
                durability,
                label,
                total,
                background,
                by_op,
                kinds,
                f"{row['p50']:.1f}",
                f"{sqlite_rows[label]['p50']:.1f}",
            )
    console.print(calls_table)


if __name__ == "__main__":
    main()
