"""The load benchmark's figures: one system's results and the side-by-side table.

`bench.load` fills a `RunResult` per system and size; `report` prints them with the
machine's load average, so a figure is read with how busy the machine was.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.load_targets import TurnSample


@dataclass
class RunResult:
    """One system's figures for the whole load."""

    name: str
    conversations: int
    expected_turns: int
    limits: str
    logs: list[Path]
    samples: list[TurnSample] = field(default_factory=list)
    wall: float = 0.0
    timed_out: bool = False
    ready_rss: float | None = None
    peak_rss: float | None = None
    server_cpu: float | None = None
    client_cpu: float = 0.0
    peak_threads: int = 0
    peak_streams: int = 0
    admission: str = "—"
    load_average: tuple[float, float] | None = None
    """The machine's 1-minute load average when the load started and when it ended."""

    @property
    def cpu_per_turn(self) -> float | None:
        """Server CPU seconds per completed turn (every server process)."""
        done = len(self.values("latency"))
        return None if self.server_cpu is None or not done else self.server_cpu / done

    @property
    def errors(self) -> int:
        """Failed turns plus turns never finished before the time limit."""
        failed = sum(1 for s in self.samples if s.error)
        return failed + max(0, self.expected_turns - len(self.samples))

    def values(self, name: str) -> list[float]:
        """Seconds of one measure (`first_event`, ...) over the successful turns."""
        found = (getattr(s, name) for s in self.samples if not s.error)
        return [value for value in found if value is not None]

    def token_overhead(self, pacing: float) -> list[float]:
        """Seconds from the first event to the first token, less the model's own delay."""
        return [
            s.first_token - s.first_event - pacing
            for s in self.samples
            if not s.error and s.first_token is not None and s.first_event is not None
        ]

    def error_kinds(self) -> Counter[str]:
        """How many turns failed, by kind."""
        kinds = Counter(str(s.error) for s in self.samples if s.error)
        missing = self.expected_turns - len(self.samples)
        if missing > 0:
            kinds["not finished within the time limit"] += missing
        return kinds


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[min(len(ordered), int(rank)) - 1]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:,.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None or b == 0 else f"{a / b:.3g}×"


def report(console: Console, results: list[RunResult], args: argparse.Namespace) -> None:
    """Print the side-by-side table, the model pacing and any error breakdown."""
    from graphs.drafting.paced import REPLY

    table = Table(
        title=f"Load: {args.conversations} conversations × {args.turns} turns, "
        f"paced model at {args.tokens_per_second:g} tokens/s, started over {args.ramp_up:g} s"
    )
    table.add_column("metric")
    for result in results:
        table.add_column(result.name, justify="right")
    if len(results) == 2:
        table.add_column("Tandem / langgraph dev", justify="right")

    def row(label: str, cells: list[str], ratio: str = "") -> None:
        table.add_row(label, *cells, *([ratio] if len(results) == 2 else []))

    def latency_row(label: str, measure: str, q: float, with_ratio: bool = False) -> None:
        figures = [percentile(r.values(measure), q) for r in results]
        ratio = _ratio(figures[0], figures[1]) if with_ratio and len(figures) == 2 else ""
        row(label, [_ms(f) for f in figures], ratio)

    row("conversations", [str(r.conversations) for r in results])
    row("turns completed", [f"{len(r.values('latency'))}/{r.expected_turns}" for r in results])
    row("errors", [str(r.errors) for r in results])
    latency_row("first event p50 (ms)", "first_event", 50)
    latency_row("first event p95 (ms)", "first_event", 95, with_ratio=True)
    latency_row("first event p99 (ms)", "first_event", 99)
    if any(r.values("server_start") for r in results):
        latency_row("server's own share p50 (ms)", "server_start", 50)
        latency_row("server's own share p95 (ms)", "server_start", 95)
    latency_row("first token p50 (ms)", "first_token", 50)
    latency_row("first token p95 (ms)", "first_token", 95)
    pacing = 1 / args.tokens_per_second
    for q in (50, 95):
        figures = [percentile(r.token_overhead(pacing), q) for r in results]
        row(f"first token overhead p{q} (ms)", [_ms(f) for f in figures])
    latency_row("turn latency p50 (ms)", "latency", 50)
    latency_row("turn latency p95 (ms)", "latency", 95, with_ratio=True)
    latency_row("turn latency p99 (ms)", "latency", 99)
    row("events/s", [f"{sum(s.events for s in r.samples) / r.wall:,.0f}" for r in results])
    row("turns/s", [f"{len(r.values('latency')) / r.wall:,.1f}" for r in results])
    row("wall time (s)", [f"{r.wall:,.1f}" for r in results])
    row("server CPU during load (s)", [_seconds(r.server_cpu) for r in results])
    cpu = [r.cpu_per_turn for r in results]
    row("server CPU per turn (ms)", [_ms(c) for c in cpu], _ratio(*cpu) if len(cpu) == 2 else "")
    row("machine load average, start → end", [_load(r.load_average) for r in results])
    row("client CPU during load (s)", [_seconds(r.client_cpu) for r in results])
    row("peak open SSE streams", [str(r.peak_streams) for r in results])
    row("turns waiting for admission", [r.admission for r in results])
    row("peak server threads", [str(r.peak_threads) for r in results])
    row("RSS after warm-up (MiB)", [_mib(r.ready_rss) for r in results])
    row("peak RSS, VmHWM (MiB)", [_mib(r.peak_rss) for r in results])
    row("concurrent runs, sync-node threads", [r.limits for r in results])
    console.print(table)
    words = len(REPLY.split())
    console.print(
        f"Model pacing: the paced model streams {words} words at {args.tokens_per_second:g} "
        f"tokens/s, so each turn spends at least {words / args.tokens_per_second:.2f} s "
        f"in the model (first token ≥ {1000 / args.tokens_per_second:.0f} ms after it starts)."
    )
    console.print(
        "Latencies cover successful turns only; first event = first SSE event "
        "(Tandem: customer_message, langgraph dev: metadata); the server's own share is "
        "Tandem's Server-Timing: from the request reaching the app to the response starting, "
        "without the client's or the network's queueing. First token overhead = first "
        "token − first event − the model's first-token delay: everything between taking the "
        "message and delivering the model's first token besides the model itself, including "
        "the wait for admission and for a core while the machine is saturated."
    )
    for result in results:
        if result.timed_out:
            console.print(f"[red]{result.name}: stopped at the {args.time_limit:.0f} s limit[/]")
        for kind, count in result.error_kinds().most_common():
            console.print(f"[red]{result.name}: {count} × {kind}[/]", highlight=False)
            example = next((s.detail for s in result.samples if s.error == kind and s.detail), "")
            if example:
                console.print(f"  e.g. {example}", highlight=False, markup=False)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _load(value: tuple[float, float] | None) -> str:
    return "—" if value is None else f"{value[0]:.1f} → {value[1]:.1f}"


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"
