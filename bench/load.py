"""Load benchmark: concurrent streamed conversations against Tandem's server and `langgraph dev`.

Starts `tandem serve` on a free loopback port with the paced fake chat model
(`TANDEM_MODEL=paced:<tps>`, a fixed ~40-word reply streamed at that many tokens per
second), runs N concurrent conversations of T turns each over SSE, then does the same
against `langgraph dev` serving the same graph through the LangGraph API, and prints
both side by side: time to first event, time to first token, turn latency, throughput,
errors and the server process's peak resident memory.

    .venv/bin/python -m bench.load [--conversations 200] [--turns 3] [--ramp-up 5]
        [--tokens-per-second 40] [--skip-langgraph-dev] [--langgraph-dev-jobs N]

Both servers get a fresh data folder, prepared beforehand (demo orders, help centre,
trained intent classifier) so neither pays for seeding during the measurement, and one
unmeasured warm-up turn each. Every simulated customer uses its own HTTP client, as a
browser would. `langgraph dev` runs from its own working folder with a copy of
`langgraph.json` whose paths point at this repository, so its on-disk state
(`.langgraph_api/`) stays out of the repository. It is started with
`--n-jobs-per-worker` = the number of conversations unless `--langgraph-dev-jobs` says
otherwise (on its own it runs one run at a time); its sync graph nodes (the draft node
waits on the model) run on asyncio's default executor, min(32, CPUs + 4) threads, where
Tandem gives them `worker_threads` (256). Server logs are kept in the work folder printed
at the end when a run had errors or `--keep-data` is given (Tandem's are JSON lines on
stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bench.load_targets import (
    LOOPBACK,
    STREAMS,
    ServerProcess,
    TurnSample,
    free_port,
    http_client,
    langgraph_conversation,
    tandem_conversation,
)

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
CUSTOMER = "alex_morgan_1001"
MESSAGES = [
    "what is your return policy?",
    "thanks",
    "how long does a refund take?",
    "do you offer gift cards?",
]
"""Turn texts, cycled; none depends on the customer's orders."""

STARTUP_SECONDS = 180.0


Conversation = Callable[[list[TurnSample]], Coroutine[Any, Any, None]]
"""Runs one conversation, appending a sample per turn to the given list."""


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


def turn_texts(turns: int) -> list[str]:
    """The customer's messages for one conversation."""
    return [MESSAGES[i % len(MESSAGES)] for i in range(turns)]


def prepare_data_dir(path: Path) -> None:
    """Seed the embedded stores and train the intent classifier under `path` once."""
    from config.settings import Settings
    from wiring.root import Root

    Root(Settings(data_dir=path, auth_mode="local")).services  # noqa: B018


def langgraph_config(workdir: Path) -> Path:
    """A copy of the repository's `langgraph.json` with absolute paths, written to `workdir`."""
    config = json.loads((REPO / "langgraph.json").read_text())
    config["dependencies"] = [
        str((REPO / dep).resolve()) if dep.startswith(".") else dep
        for dep in config.get("dependencies", [])
    ]
    config["graphs"] = {
        name: str((REPO / spec).resolve()) if spec.startswith(".") else spec
        for name, spec in config["graphs"].items()
    }
    path = workdir / "langgraph.json"
    path.write_text(json.dumps(config, indent=2))
    return path


async def _after(delay: float, conversation: Conversation, sink: list[TurnSample]) -> None:
    await asyncio.sleep(delay)
    await conversation(sink)


async def measure(
    server: ServerProcess,
    result: RunResult,
    warm_up: Conversation,
    conversation: Conversation,
    limit: float,
    ramp_up: float = 0.0,
    probe: Callable[[asyncio.Event], Coroutine[Any, Any, str]] | None = None,
) -> None:
    """Run one unmeasured warm-up turn, then the concurrent load; fill `result` in.

    Conversations start evenly spread over `ramp_up` seconds (0: all at once). `probe`,
    when given, watches the server until the load ends and describes what it saw.
    """
    warm: list[TurnSample] = []
    await warm_up(warm)
    if not warm or warm[0].error:
        failure = warm[0].error if warm else "no turn"
        raise RuntimeError(
            f"{result.name} warm-up turn failed ({failure}); see {server.stderr_path}"
        )
    result.ready_rss = server.memory_mib("VmRSS")
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    stop = asyncio.Event()
    sampler = asyncio.create_task(server.peak_threads(stop))
    turns_probe = asyncio.create_task(probe(stop)) if probe else None
    STREAMS.reset()
    started = time.perf_counter()
    runs = [
        asyncio.create_task(
            _after(i * ramp_up / result.conversations, conversation, result.samples)
        )
        for i in range(result.conversations)
    ]
    try:
        _, pending = await asyncio.wait(runs, timeout=limit)
        result.timed_out = bool(pending)
    finally:
        result.wall = time.perf_counter() - started
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
        stop.set()
        result.peak_threads = await sampler
        result.peak_streams = STREAMS.peak
        if turns_probe is not None:
            result.admission = await turns_probe
    crashed = next((r.exception() for r in runs if not r.cancelled() and r.exception()), None)
    if crashed is not None:
        raise crashed
    cpu_after = server.cpu_seconds()
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu = cpu_after - cpu_before
    result.client_cpu = time.process_time() - client_before
    result.peak_rss = server.memory_mib("VmHWM")


async def admission_probe(base: str, stop: asyncio.Event, every: float = 0.5) -> str:
    """Poll Tandem's /readyz until `stop`; summarise its turns: peak waiting, limit range."""
    waiting, limits = 0, []
    async with http_client(base) as client:
        while not stop.is_set():
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                turns = (await client.get("/readyz", timeout=5.0)).json()["turns"]
                waiting = max(waiting, turns["waiting"])
                limits.append(turns["limit"])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    if not limits:
        return "—"
    return f"{waiting} waiting at most; limit {min(limits)}–{max(limits)}"


async def run_tandem(args: argparse.Namespace, workdir: Path, data_dir: Path) -> RunResult:
    """Serve with `tandem serve` and run the load over SSE."""
    from config.settings import Settings
    from server.auth.local_issuer import issuer_from_settings

    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    server = ServerProcess(
        "tandem",
        [str(BIN / "tandem"), "serve", "--host", LOOPBACK, "--port", str(port)],
        {
            "TANDEM_DATA_DIR": str(data_dir),
            "TANDEM_MODEL": f"paced:{args.tokens_per_second}",
            "TANDEM_RATE_LIMIT_PER_MINUTE": "1000000",
            "TANDEM_AUTH_MODE": "local",
        },
        REPO,
        workdir,
    )
    texts = turn_texts(args.turns)
    result = RunResult(
        "Tandem",
        args.conversations,
        args.conversations * args.turns,
        f"adaptive (loop lag ≤ {Settings().admission_target_lag_ms:g} ms), "
        f"{Settings().worker_threads} threads",
        [server.stderr_path],
    )
    server.start()
    try:
        await server.wait_ready(base, "/readyz", STARTUP_SECONDS)
        issuer = issuer_from_settings(Settings(data_dir=data_dir, auth_mode="local"))
        token = issuer.issue(CUSTOMER, "customer", customer_id=CUSTOMER)
        await measure(
            server,
            result,
            lambda sink: tandem_conversation(base, token, texts[:1], sink),
            lambda sink: tandem_conversation(base, token, texts, sink),
            args.time_limit,
            args.ramp_up,
            lambda stop: admission_probe(base, stop),
        )
    finally:
        server.stop()
    return result


async def run_langgraph_dev(args: argparse.Namespace, workdir: Path, data_dir: Path) -> RunResult:
    """Serve the same graph with `langgraph dev` and run the load through langgraph-sdk."""
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    cwd = workdir / "langgraph-dev"
    cwd.mkdir()
    argv = [
        str(BIN / "langgraph"),
        "dev",
        "--config",
        str(langgraph_config(cwd)),
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--no-browser",
        "--no-reload",
    ]
    jobs = args.langgraph_dev_jobs or args.conversations
    argv += ["--n-jobs-per-worker", str(jobs)]
    server = ServerProcess(
        "langgraph-dev",
        argv,
        {
            "TANDEM_DATA_DIR": str(data_dir),
            "TANDEM_MODEL": f"paced:{args.tokens_per_second}",
            "LANGSMITH_TRACING": "false",
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        },
        cwd,
        workdir,
    )
    texts = turn_texts(args.turns)
    result = RunResult(
        "langgraph dev",
        args.conversations,
        args.conversations * args.turns,
        f"{jobs}, {min(32, (os.cpu_count() or 1) + 4)} threads",
        [server.stderr_path, server.stdout_path],
    )
    server.start()
    try:
        await server.wait_ready(base, "/ok", STARTUP_SECONDS)
        await measure(
            server,
            result,
            lambda sink: langgraph_conversation(base, texts[:1], CUSTOMER, sink),
            lambda sink: langgraph_conversation(base, texts, CUSTOMER, sink),
            args.time_limit,
            args.ramp_up,
        )
    finally:
        server.stop()
    return result


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


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


async def main_async(args: argparse.Namespace, console: Console, workdir: Path) -> list[RunResult]:
    """Prepare data folders, run both systems one after the other, return their results."""
    current = asyncio.current_task()
    if current is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, current.cancel)
    tandem_data, langgraph_data = workdir / "tandem-data", workdir / "langgraph-dev-data"
    console.print(f"[dim]Preparing data folders under {workdir} …[/]")
    await asyncio.to_thread(prepare_data_dir, tandem_data)
    shutil.copytree(tandem_data, langgraph_data)
    systems = [("Tandem", run_tandem)]
    if not args.skip_langgraph_dev:
        systems.append(("langgraph dev", run_langgraph_dev))
    results = []
    for (name, run), data_dir in zip(systems, (tandem_data, langgraph_data), strict=False):
        console.print(f"[dim]{name}: {args.conversations} × {args.turns} turns …[/]")
        try:
            results.append(await run(args, workdir, data_dir))
        except (RuntimeError, TimeoutError) as error:
            console.print(f"[red]{name} could not be measured: {error}[/]")
    return results


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the benchmark, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--tokens-per-second", type=float, default=40.0)
    parser.add_argument(
        "--ramp-up",
        type=float,
        default=5.0,
        help="Seconds over which the conversations start, evenly spread (0: all at once).",
    )
    parser.add_argument("--skip-langgraph-dev", action="store_true")
    parser.add_argument(
        "--langgraph-dev-jobs",
        type=int,
        default=None,
        help="langgraph dev's --n-jobs-per-worker, its number of concurrent runs (default: "
        "--conversations; langgraph dev alone runs 1 at a time).",
    )
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="Seconds allowed per system's load."
    )
    parser.add_argument(
        "--keep-data", action="store_true", help="Keep the work folder even after a clean run."
    )
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.turns < 1 or args.tokens_per_second <= 0:
        parser.error("conversations, turns and tokens per second must be positive")
    console = Console(width=None if sys.stdout.isatty() else 110)
    workdir = Path(tempfile.mkdtemp(prefix="tandem-load-"))
    results: list[RunResult] = []
    try:
        results = asyncio.run(main_async(args, console, workdir))
        report(console, results, args)
    except (KeyboardInterrupt, asyncio.CancelledError):
        console.print("[red]Interrupted; servers stopped.[/]")
        raise SystemExit(130) from None
    finally:
        expected = 1 if args.skip_langgraph_dev else 2
        clean = len(results) == expected and not any(r.errors for r in results)
        if clean and not args.keep_data:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            console.print(f"Work folder (data, server logs): {workdir}")
            for result in results:
                for log in result.logs:
                    console.print(f"  {result.name} log: {log}")


if __name__ == "__main__":
    main()
