"""Offline per-turn latency, throughput and memory of the support graph.

Runs N demo conversations of three turns each (order status, help-centre question,
small talk) on the embedded backends with the grounded drafter, once with the SQLite
checkpointer (durability "sync") and once with no checkpointer, and prints p50/p99 turn
latency, turns per second and resident-memory growth per 1,000 conversations.

    .venv/bin/python -m bench.turns [--conversations 300]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from config.settings import Settings
from graphs.context import Context
from graphs.support import compile_graph
from graphs.turns import customer_input, turn_config
from memory.checkpointer import sqlite_saver
from wiring.root import Root

TURNS = ["where is my order #W1234567?", "what is your return policy?", "thanks!"]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(graph: Any, conversations: int, persistent: bool) -> dict[str, float]:
    """Run the conversations and return latency, throughput and memory figures."""
    context = Context(customer_id="alex_morgan_1001", model="")
    latencies: list[float] = []
    gc.collect()
    rss_before = _rss_mib()
    started = time.perf_counter()
    for n in range(conversations):
        config = turn_config(f"bench-{n}") if persistent else {}
        for text in TURNS:
            t0 = time.perf_counter()
            if persistent:
                graph.invoke(
                    customer_input(text, "bench"), config, context=context, durability="sync"
                )
            else:
                graph.invoke(customer_input(text, "bench"), context=context)
            latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    gc.collect()
    rss_growth = _rss_mib() - rss_before
    return {
        "p50": statistics.median(latencies),
        "p99": _percentile(latencies, 0.99),
        "turns_per_s": len(latencies) / elapsed,
        "rss_per_1000": rss_growth * 1000 / conversations,
    }


def main() -> None:
    """Parse arguments, run both configurations and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), model="")
        services = Root(settings).services
        warm: Any = compile_graph(services)
        warm.invoke(customer_input("hello", "bench"), context=Context(model=""))
        saver = sqlite_saver(settings.checkpoint_db)
        rows = {
            "SQLite checkpointer (sync)": run(
                compile_graph(services, saver), args.conversations, True
            ),
            "no checkpointer": run(compile_graph(services), args.conversations, False),
        }
        saver.conn.close()
    table = Table(title=f"Offline turns: {args.conversations} conversations x {len(TURNS)} turns")
    for column in ("configuration", "p50 ms", "p99 ms", "turns/s", "RSS MiB / 1,000 conv."):
        table.add_column(column, justify="right")
    for name, row in rows.items():
        table.add_row(
            name,
            f"{row['p50']:.2f}",
            f"{row['p99']:.2f}",
            f"{row['turns_per_s']:.1f}",
            f"{row['rss_per_1000']:.1f}",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
