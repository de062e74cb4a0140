"""The fast path's share of turns and its latency, with a paced model planning the rest.

Runs N demo conversations of four turns (order status, a help-centre question, small talk,
a cancellation request) through the graph with the paced model (`paced:40`) planning, once
with the fast path off and once on (`TANDEM_FAST_PATH=true`), three runs each, and prints
per planner the share of turns and their latency (p50 / p95), min / median / max over runs.

    .venv/bin/python -m bench.fast_path [--conversations 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from rich.console import Console
from rich.table import Table

from config.settings import Settings
from graphs.context import Context
from graphs.drafting.paced import PacedChatModel
from graphs.services import Services
from graphs.support import compile_graph
from graphs.turns import customer_input, turn_config
from wiring.root import Root

TURNS = [
    "where is my order #W1234567?",
    "what is your return policy?",
    "thanks!",
    "please cancel my order #W1234567",
]
TOKENS_PER_SECOND = 40.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(services: Services, conversations: int) -> dict[str, list[float]]:
    """Latencies (ms) of every turn, by the planner that served it."""
    graph: Any = compile_graph(services, checkpointer=InMemorySaver())
    context = Context(customer_id="alex_morgan_1001")
    by_planner: dict[str, list[float]] = defaultdict(list)
    for n in range(conversations):
        config = turn_config(f"fast-{n}-{time.monotonic_ns()}")
        for text in TURNS:
            started = time.perf_counter()
            graph.invoke(customer_input(text, "bench"), config, context=context)
            elapsed = (time.perf_counter() - started) * 1000
            planner = graph.get_state(config).values.get("planner") or "rules"
            by_planner[planner].append(elapsed)
    return by_planner


def _spread(values: list[float], digits: int = 0) -> str:
    if not values:
        return "—"
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{low:.{digits}f} / {mid:.{digits}f} / {high:.{digits}f}"


def main() -> None:
    """Run both settings and print the share and latency table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.conversations < 1 or args.runs < 1:
        parser.error("--conversations and --runs must be at least 1")
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), model="", checkpointer="memory")
        base = Root(settings).services
        base = replace(
            base,
            chat_model=PacedChatModel(tokens_per_second=TOKENS_PER_SECOND),
            model_plans=True,
        )
        on = replace(
            base, limits=replace(base.limits, fast_path_confidence=settings.fast_path_confidence)
        )
        table = Table(
            title=f"Fast path: {args.conversations} conversations × {len(TURNS)} turns, "
            f"paced model at {TOKENS_PER_SECOND:g} tokens/s, {args.runs} runs (min / median / max)"
        )
        for column in ("fast path", "planner", "share of turns (%)", "p50 ms", "p95 ms"):
            table.add_column(column, justify="right")
        for label, services in (("off", base), ("on", on)):
            runs = [run(services, args.conversations) for _ in range(args.runs)]
            planners = sorted({planner for result in runs for planner in result})
            for planner in planners:
                shares, p50s, p95s = [], [], []
                for result in runs:
                    total = sum(len(v) for v in result.values())
                    values = result.get(planner, [])
                    shares.append(100 * len(values) / total)
                    if values:
                        p50s.append(statistics.median(values))
                        p95s.append(_percentile(values, 0.95))
                table.add_row(label, planner, _spread(shares, 1), _spread(p50s), _spread(p95s))
    Console().print(table)


if __name__ == "__main__":
    main()
