"""Cost growth: a turn's server CPU and latency early in a conversation and 800 messages in.

Starts `tandem serve` (one worker, so the CPU read is that turn's process; the paced model
fast, so long conversations take minutes, not hours) on a fresh prepared data folder and
runs `--runs` conversations one after another, each to the largest mark. A mark is a
number of messages (a customer message and the reply are two); at each, the server CPU
and the median latency of the `--window` turns ending there are taken (a mark with fewer
turns before it, 20 messages for instance, pools those turns of as many fresh
conversations as it takes, so every mark is read over the same number of turns). The table shows
min / median / max over the runs and the growth from the first mark to the last as a ratio
(1.0×: a turn costs the same however long the conversation is).

    .venv/bin/python -m bench.load_growth [--marks 20 800] [--runs 3] [--window 40]
        [--tokens-per-second 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.load import MESSAGES, REPO, STARTUP_SECONDS, prepare_data_dir
from bench.load_targets import http_client, tandem_turn
from bench.server_process import ServerProcess, customer_token, tandem_server

Marks = dict[int, tuple[float, float]]
"""Per mark (messages): server CPU seconds per turn and median turn latency in seconds."""


@dataclass
class Window:
    """The turns measured before one mark: their server CPU and latencies."""

    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def add(self, other: Window) -> None:
        """Pool another conversation's turns before the same mark into this window."""
        self.cpu += other.cpu
        self.latencies += other.latencies

    def figures(self) -> tuple[float, float]:
        """Server CPU seconds per turn and the median turn latency."""
        return self.cpu / len(self.latencies), statistics.median(self.latencies)


def window_spans(marks: list[int], window: int) -> dict[int, tuple[int, int]]:
    """The first and last turn (counted from 1) measured for each mark in one conversation.

    A mark of `m` messages ends at turn `m / 2`; its window is the `window` turns before
    it, or all of them when the conversation has fewer (a mark of 20 has 10).
    """
    return {mark: (mark // 2 - min(window, mark // 2) + 1, mark // 2) for mark in marks}


async def one_conversation(
    server: ServerProcess, base: str, token: str, marks: list[int], window: int
) -> dict[int, Window]:
    """Run one conversation to the last mark; measure the turns before each mark."""
    spans = window_spans(marks, window)
    found = {mark: Window() for mark in marks}
    started: dict[int, float] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with http_client(base, headers=headers) as client:
        response = await client.post("/v1/conversations", json={})
        response.raise_for_status()
        conversation = response.json()["id"]
        for turn in range(1, max(marks) // 2 + 1):
            for mark, (first, _) in spans.items():
                if turn == first:
                    started[mark] = server.cpu_seconds() or 0.0
            sample = await tandem_turn(client, conversation, MESSAGES[turn % len(MESSAGES)])
            if sample.error or sample.latency is None:
                raise RuntimeError(f"turn {turn} failed: {sample.error} {sample.detail}")
            for mark, (first, last) in spans.items():
                if first <= turn <= last:
                    found[mark].latencies.append(sample.latency)
                if turn == last:
                    found[mark].cpu = (server.cpu_seconds() or 0.0) - started[mark]
    return found


async def one_run(
    server: ServerProcess, base: str, token: str, marks: list[int], window: int
) -> Marks:
    """One conversation to the last mark, plus short ones so every mark has `window` turns.

    A conversation has only `mark / 2` turns before an early mark, so marks shorter than
    the window pool the same turns of further fresh conversations: every mark's CPU figure
    is then read over as many turns, with the same clock-tick resolution.
    """
    windows = await one_conversation(server, base, token, marks, window)
    for mark in marks:
        while len(windows[mark].latencies) < window:
            extra = await one_conversation(server, base, token, [mark], window)
            windows[mark].add(extra[mark])
    return {mark: windows[mark].figures() for mark in marks}


async def measure(args: argparse.Namespace, workdir: Path) -> list[Marks]:
    """Serve on a prepared folder and run `args.runs` conversations one after another."""
    data_dir = workdir / "data"
    await asyncio.to_thread(prepare_data_dir, data_dir)
    model = f"paced:{args.tokens_per_second}"
    server, base = tandem_server(REPO, workdir, data_dir, model, workers=1)
    server.start()
    try:
        await server.wait_ready(base, "/readyz", STARTUP_SECONDS)
        token = customer_token(data_dir)
        return [
            await one_run(server, base, token, args.marks, args.window) for _ in range(args.runs)
        ]
    finally:
        server.stop()


def _spread(values: list[float], scale: float = 1000.0) -> str:
    figures = (min(values), statistics.median(values), max(values))
    return " / ".join(f"{v * scale:,.1f}" for v in figures)


def report(console: Console, runs: list[Marks], args: argparse.Namespace) -> None:
    """The per-mark table (min / median / max over runs) and the growth ratios."""
    table = Table(
        title=f"Cost growth: {args.runs} conversations to {max(args.marks)} messages, "
        f"{args.window} turns per window, paced model at {args.tokens_per_second:g} tokens/s"
    )
    table.add_column("messages", justify="right")
    table.add_column("server CPU per turn (ms), min / median / max", justify="right")
    table.add_column("turn latency (ms), min / median / max", justify="right")
    for mark in args.marks:
        table.add_row(
            str(mark),
            _spread([run[mark][0] for run in runs]),
            _spread([run[mark][1] for run in runs]),
        )
    console.print(table)
    first, last = args.marks[0], args.marks[-1]
    cpu = [run[last][0] / run[first][0] for run in runs if run[first][0] > 0]
    latency = [run[last][1] / run[first][1] for run in runs]
    if cpu:
        console.print(
            f"Growth {first} → {last} messages: server CPU per turn {_spread(cpu, 1)}×, "
            f"turn latency {_spread(latency, 1)}× (min / median / max)"
        )
    console.print(f"Machine load average (1, 5, 15 min) at the end: {os.getloadavg()}")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the conversations, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--marks", type=int, nargs="+", default=[20, 800])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--window",
        type=int,
        default=40,
        help="turns measured per mark (marks with fewer turns pool fresh conversations)",
    )
    parser.add_argument("--tokens-per-second", type=float, default=2000.0)
    args = parser.parse_args(argv)
    args.marks = sorted(args.marks)
    if args.runs < 1 or args.window < 1 or any(m < 2 or m % 2 for m in args.marks):
        parser.error("marks must be even and at least 2; runs and window positive")
    console = Console(width=None if sys.stdout.isatty() else 110)
    workdir = Path(tempfile.mkdtemp(prefix="tandem-growth-"))
    try:
        report(console, asyncio.run(measure(args, workdir)), args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
