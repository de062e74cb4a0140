"""What observability costs per turn: CPU time with domain events and traces off and on.

Runs demo conversations (three turns each, grounded drafter, SQLite checkpoints) through the
turn runner every entry point uses, in three set-ups, and prints the process CPU time per
turn (all threads) for each, min/median/max over the runs:

- `bare`: no domain events, no tracing (the Prometheus instruments are always on);
- `events`: domain events appended to the JSON-lines log (the embedded default);
- `events+traces`: and every turn traced, exported over OTLP/HTTP to a receiver in another
  process on loopback (so its CPU is not counted).

    .venv/bin/python -m bench.observability [--conversations 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from config.settings import Settings
from graphs.context import Context
from wiring.root import Root
from wiring.turns import open_turns

TURNS = ["where is my order #W1234567?", "what is your return policy?", "thanks!"]

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""
"""An OTLP/HTTP sink that accepts and discards every export (run in its own process)."""


async def _conversations(root: Root, count: int, tag: str) -> tuple[float, int]:
    """Run `count` conversations; return the CPU seconds they took and the turns run."""
    context = Context(customer_id="alex_morgan_1001", model="")
    async with open_turns(root) as turns:
        turns.store.create_conversation(f"{tag}-warm", "alex_morgan_1001", "bench")
        await turns.runner.start_customer_turn(f"{tag}-warm", TURNS[0], "bench", context)
        await turns.runner.drain()
        started = time.process_time()
        for n in range(count):
            conversation = f"{tag}-{n}"
            turns.store.create_conversation(conversation, "alex_morgan_1001", "bench")
            for text in TURNS:
                await turns.runner.start_customer_turn(conversation, text, "bench", context)
                await turns.runner.drain()
        cpu = time.process_time() - started
    root.close_tracing()
    return cpu, count * len(TURNS)


def _measure(setup: str, folder: Path, count: int, run: int, endpoint: str) -> float:
    """CPU milliseconds per turn of one run of `setup`."""
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        os.environ.pop(name, None)
    if setup == "events+traces":
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    settings = Settings(
        data_dir=folder / f"{setup}-{run}",
        model="",
        events_backend="none" if setup == "bare" else "log",
        turn_recovery_seconds=0,
    )
    cpu, turns = asyncio.run(_conversations(Root(settings), count, f"{setup}-{run}"))
    return cpu / turns * 1000


def main() -> None:
    """Print CPU ms per turn for each set-up: min / median / max over the runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    try:
        assert receiver.stdout is not None
        endpoint = f"http://127.0.0.1:{receiver.stdout.readline().strip()}"
        results: dict[str, list[float]] = {"bare": [], "events": [], "events+traces": []}
        with tempfile.TemporaryDirectory() as folder:
            for run in range(args.runs):  # interleaved, so load changes hit every set-up
                for setup, values in results.items():
                    values.append(_measure(setup, Path(folder), args.conversations, run, endpoint))
    finally:
        receiver.terminate()
        receiver.wait(10)
    turns = args.conversations * len(TURNS)
    print(f"CPU ms per turn, {turns} turns a run, {args.runs} runs (min / median / max)")
    for setup, values in results.items():
        print(
            f"  {setup:<14} {min(values):7.2f} / {statistics.median(values):7.2f}"
            f" / {max(values):7.2f}"
        )


if __name__ == "__main__":
    main()
