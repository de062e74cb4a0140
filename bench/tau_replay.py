"""τ-bench retail replay throughput: SQLite order store vs DynamoDB (on moto_server).

Replays the gold actions of the first N tasks of expected_train.json on each store, the
way tests/conformance/test_tau_replay.py does (run the actions, export the whole
database, hash it, compare with τ-bench's final sha256, put the initial data back), and
prints tasks per second with the time split between the tool calls and the export.
moto_server is started on a free loopback port. Its Scan and TransactWriteItems are slow
(pure-Python serialisation and table copies), so DynamoDB numbers measure the emulator
more than DynamoDB; SQLite's measure the embedded store.

    .venv/bin/python -m bench.tau_replay [--tasks 20]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cloud.aws import aws_client
from tools.orders import SqliteOrderStore, StateHasher, invoke_tool, load_tau_dir
from tools.orders.dynamodb_schema import create_orders_table
from tools.orders.dynamodb_store import DynamoDBOrderStore

DATASET = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "tau_retail"
REGION = "eu-west-1"


@contextmanager
def moto_server(log: Path, timeout: float = 30) -> Iterator[str]:
    """Run `moto_server` on a free 127.0.0.1 port; yield its URL, then stop (or kill) it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
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
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _replay(store: Any, tasks: list[dict[str, Any]], restore: Any) -> dict[str, float]:
    hasher = StateHasher()
    tools = export = 0.0
    failures = actions = 0
    start = time.perf_counter()
    for task in tasks:
        target = restore("begin")
        began = time.perf_counter()
        for action in task["actions"]:
            actions += 1
            if invoke_tool(target, action["name"], action["kwargs"]) != action["output"]:
                failures += 1
        ran = time.perf_counter()
        final = target.export_documents()
        failures += hasher.digest(final) != task["final_state_sha256"]
        export += time.perf_counter() - ran
        tools += ran - began
        restore(final)
    elapsed = time.perf_counter() - start
    return {
        "tasks/s": len(tasks) / elapsed,
        "ms/action": 1000 * tools / max(actions, 1),
        "s export": export,
        "s total": elapsed,
        "failures": failures,
    }


def main() -> None:
    """Replay the first tasks on both stores and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20, help="tasks of the train split")
    args = parser.parse_args()
    # moto_server ignores credentials but botocore signs every request.
    for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")):
        os.environ.setdefault(name, value)
    if not DATASET.is_dir():
        raise SystemExit(f"τ-bench retail dataset not found at {DATASET}")
    db = load_tau_dir(DATASET)
    with (DATASET / "expected_train.json").open(encoding="utf-8") as handle:
        tasks = json.load(handle)["tasks"][: args.tasks]

    template = SqliteOrderStore()
    template.load_tau(db["users"], db["orders"], db["products"])
    initial = template.export_documents()
    clones: list[SqliteOrderStore] = []

    def sqlite_restore(final: Any) -> Any:
        if final == "begin":
            clones.append(template.clone())
            return clones[-1]
        clones.pop().close()
        return None

    results = {"SQLite (in memory)": _replay(template, tasks, sqlite_restore)}

    with tempfile.TemporaryDirectory() as folder, moto_server(Path(folder) / "moto.log") as url:
        client = aws_client("dynamodb", REGION, url)
        create_orders_table(client, "tau-bench")
        store = DynamoDBOrderStore(client, "tau-bench")
        loaded = time.perf_counter()
        store.load_tau(db["users"], db["orders"], db["products"])
        load_seconds = time.perf_counter() - loaded

        def dynamodb_restore(final: Any) -> Any:
            if final == "begin":
                return store
            changed = {
                table: {k: initial[table][k] for k, v in docs.items() if initial[table][k] != v}
                for table, docs in final.items()
            }
            store.restore_documents(changed)
            return None

        results["DynamoDB (moto_server)"] = _replay(store, tasks, dynamodb_restore)

    print(f"τ-bench retail replay, first {len(tasks)} train tasks")
    print(f"DynamoDB batch load of {sum(len(v) for v in initial.values())} records: "
          f"{load_seconds:.1f} s")  # fmt: skip
    columns = ["tasks/s", "ms/action", "s export", "s total", "failures"]
    print(f"{'store':<24}" + "".join(f"{c:>12}" for c in columns))
    for name, row in results.items():
        print(f"{name:<24}" + "".join(f"{row[c]:>12.2f}" for c in columns))


if __name__ == "__main__":
    main()
