"""Soak benchmark: the server's resident memory over many turns.

Starts `tandem serve` on a free loopback port (embedded backends, the deterministic
grounded drafter, a fresh prepared data folder), runs `--turns` streamed turns over SSE
as conversations of `--per-conversation` turns, `--concurrency` conversations at a time,
and samples the server process's RSS: after the first `--warm-up` turns and every tenth
of the rest. It prints those samples and the growth after warm-up, per run, then the
min / median / max over `--runs` runs (each on a fresh server and data folder).

    .venv/bin/python -m bench.soak [--turns 10000] [--warm-up 1000] [--runs 3]
        [--concurrency 8] [--per-conversation 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.load import MESSAGES, REPO, STARTUP_SECONDS, prepare_data_dir
from bench.load_targets import TurnSample, tandem_conversation
from bench.server_process import customer_token, tandem_server


async def _conversations(
    base: str, token: str, count: int, per_conversation: int, concurrency: int
) -> list[TurnSample]:
    """Run `count` conversations, `concurrency` at a time; return every turn's sample."""
    samples: list[TurnSample] = []
    texts = [MESSAGES[i % len(MESSAGES)] for i in range(per_conversation)]
    pending = iter(range(count))

    async def worker() -> None:
        for _ in pending:
            await tandem_conversation(base, token, texts, samples)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples


async def soak(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """One run: serve, warm up, run the turns in tenths; return RSS samples and errors."""
    data_dir = workdir / "data"
    prepare_data_dir(data_dir)
    server, base = tandem_server(REPO, workdir, data_dir, model="", workers=1)
    server.start()
    try:
        await server.wait_ready(base, "/readyz", STARTUP_SECONDS)
        token = customer_token(data_dir)
        per = args.per_conversation
        samples = await _conversations(base, token, args.warm_up // per, per, args.concurrency)
        rss = [(len(samples), server.memory_mib("VmRSS"))]
        step = max(1, (args.turns - args.warm_up) // per // 10)
        while len(samples) < args.turns:
            count = min(step, (args.turns - len(samples)) // per) or 1
            samples += await _conversations(base, token, count, per, args.concurrency)
            rss.append((len(samples), server.memory_mib("VmRSS")))
    finally:
        server.stop()
    errors = sum(1 for s in samples if s.error)
    return {"rss": rss, "errors": errors, "turns": len(samples)}


def _growth(rss: list[tuple[int, float | None]]) -> float:
    start, end = rss[0][1] or 0.0, rss[-1][1] or 0.0
    return 100 * (end - start) / start if start else float("nan")


def main() -> None:
    """Run the soak `--runs` times and print the RSS table and the spread."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=10_000, help="turns per run")
    parser.add_argument("--warm-up", type=int, default=1000, help="turns before the baseline")
    parser.add_argument("--per-conversation", type=int, default=10, help="turns per conversation")
    parser.add_argument("--concurrency", type=int, default=8, help="conversations at once")
    parser.add_argument("--runs", type=int, default=3, help="runs on fresh servers")
    args = parser.parse_args()
    console = Console(width=160)
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            result = asyncio.run(soak(args, Path(folder)))
        results.append(result)
        table = Table(title=f"run {run + 1}: server RSS, {result['errors']} turns with errors")
        table.add_column("turns", justify="right")
        table.add_column("RSS MiB", justify="right")
        for turns, mib in result["rss"]:  # type: ignore[attr-defined]
            table.add_row(f"{turns:,}", f"{mib:.1f}" if mib is not None else "-")
        console.print(table)
    growths = [_growth(r["rss"]) for r in results]  # type: ignore[arg-type]
    ends = [r["rss"][-1][1] or 0.0 for r in results]  # type: ignore[index]
    console.print(
        f"RSS growth after {args.warm_up:,} warm-up turns to {args.turns:,} turns, "
        f"{args.runs} runs, min / median / max: "
        f"{min(growths):.1f}% / {statistics.median(growths):.1f}% / {max(growths):.1f}%; "
        f"final RSS {min(ends):.1f} / {statistics.median(ends):.1f} / {max(ends):.1f} MiB"
    )


if __name__ == "__main__":
    main()
