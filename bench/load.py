"""Load benchmark: concurrent streamed conversations against Tandem's server and `langgraph dev`.

Starts `tandem serve` on a free loopback port with the paced fake chat model
(`TANDEM_MODEL=paced:<tps>`, a fixed ~40-word reply streamed at that many tokens per
second), runs N concurrent conversations of T turns each over SSE, then does the same
against `langgraph dev` serving the same graph through the LangGraph API, and prints
both side by side: time to first event, time to first token, turn latency, throughput,
errors and the server process's peak resident memory.

    .venv/bin/python -m bench.load [--conversations 200 [1000 ...]] [--turns 3] [--ramp-up 5]
        [--tokens-per-second 40] [--workers N] [--skip-langgraph-dev] [--langgraph-dev-jobs N]
        [--time-limit 600]

Several `--conversations` sizes run one after another, each with both systems (a size's
load stops at `--time-limit`; turns unfinished by then count as errors). Server CPU is
summed over the server's processes (Tandem's workers) and given per completed turn; the
machine's load average at the start and end of each load is printed beside the figures.

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
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench.load_report import RunResult, report
from bench.load_targets import (
    LOOPBACK,
    STREAMS,
    TurnSample,
    free_port,
    http_client,
    langgraph_conversation,
    tandem_conversation,
)
from bench.server_process import CUSTOMER, ServerProcess, customer_token, tandem_server

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
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
    load_before = os.getloadavg()[0]
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
    result.load_average = (load_before, os.getloadavg()[0])


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
    from server.serving import worker_count

    model = f"paced:{args.tokens_per_second}"
    server, base = tandem_server(REPO, workdir, data_dir, model, args.workers)
    texts = turn_texts(args.turns)
    settings = Settings()
    workers = worker_count(settings, args.workers)
    result = RunResult(
        "Tandem",
        args.conversations,
        args.conversations * args.turns,
        f"adaptive (loop lag ≤ {settings.admission_target_lag_ms:g} ms), "
        f"{settings.worker_threads} threads × {workers} workers",
        [server.stderr_path],
    )
    server.start()
    try:
        await server.wait_ready(base, "/readyz", STARTUP_SECONDS)
        token = customer_token(data_dir)
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


async def main_async(
    args: argparse.Namespace, console: Console, workdir: Path
) -> list[tuple[argparse.Namespace, list[RunResult]]]:
    """Prepare the data once; for each size run both systems in turn, on fresh copies of it."""
    current = asyncio.current_task()
    if current is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, current.cancel)
    prepared = workdir / "prepared-data"
    console.print(f"[dim]Preparing data folders under {workdir} …[/]")
    await asyncio.to_thread(prepare_data_dir, prepared)
    systems = [("Tandem", run_tandem)]
    if not args.skip_langgraph_dev:
        systems.append(("langgraph dev", run_langgraph_dev))
    runs = []
    for number, size in enumerate(args.conversations, 1):
        size_args = argparse.Namespace(**{**vars(args), "conversations": size})
        folder = workdir / f"{number}-{size}-conversations"  # a size may be repeated
        results = []
        for name, run in systems:
            data_dir = folder / f"{name.replace(' ', '-').lower()}-data"
            shutil.copytree(prepared, data_dir)
            console.print(f"[dim]{name}: {size} × {args.turns} turns …[/]")
            try:
                results.append(await run(size_args, folder, data_dir))
            except (RuntimeError, TimeoutError) as error:
                console.print(f"[red]{name} could not be measured: {error}[/]")
        runs.append((size_args, results))
    return runs


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the benchmark, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--conversations",
        type=int,
        nargs="+",
        default=[200],
        help="Concurrent conversations; several sizes (e.g. 50 200 1000) run one after another.",
    )
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--tokens-per-second", type=float, default=40.0)
    parser.add_argument(
        "--ramp-up",
        type=float,
        default=5.0,
        help="Seconds over which the conversations start, evenly spread (0: all at once).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Tandem's worker processes (default: `tandem serve`'s, one per core).",
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
    if min(args.conversations) < 1 or args.turns < 1 or args.tokens_per_second <= 0:
        parser.error("conversations, turns and tokens per second must be positive")
    console = Console(width=None if sys.stdout.isatty() else 110)
    workdir = Path(tempfile.mkdtemp(prefix="tandem-load-"))
    runs: list[tuple[argparse.Namespace, list[RunResult]]] = []
    try:
        runs = asyncio.run(main_async(args, console, workdir))
        for size_args, results in runs:
            report(console, results, size_args)
    except (KeyboardInterrupt, asyncio.CancelledError):
        console.print("[red]Interrupted; servers stopped.[/]")
        raise SystemExit(130) from None
    finally:
        expected = 1 if args.skip_langgraph_dev else 2
        results = [result for _, size_results in runs for result in size_results]
        clean = len(results) == expected * len(args.conversations) and not any(
            r.errors for r in results
        )
        if clean and not args.keep_data:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            console.print(f"Work folder (data, server logs): {workdir}")
            for result in results:
                for log in result.logs:
                    console.print(f"  {result.name} log: {log}")


if __name__ == "__main__":
    main()
