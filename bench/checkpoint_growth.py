"""SQLite checkpoint storage of one long conversation: bytes per turn at 10, 60 and 120 turns.

Runs a conversation of `--turns` customer messages (order status, help-centre question,
small talk, in turn) through the support graph with the grounded drafter, on the SQLite
checkpointer the settings build (`wiring.persistence.open_checkpointer`, so the retention
settings `TANDEM_CHECKPOINT_KEEP` / `TANDEM_CHECKPOINT_TTL_DAYS` apply), and prints, at
each mark: the file size (after folding the WAL into it), the bytes its live pages hold,
the number of checkpoints and writes kept, and bytes per turn. `--runs` conversations are
measured, each in a fresh folder; the table shows min / median / max over them.

    .venv/bin/python -m bench.checkpoint_growth [--turns 120] [--runs 3]
    TANDEM_CHECKPOINT_KEEP=0 .venv/bin/python -m bench.checkpoint_growth   # keep every one
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from config.settings import Settings
from graphs.context import Context
from graphs.support import compile_graph
from graphs.turns import customer_input, turn_config
from wiring.persistence import open_checkpointer
from wiring.root import Root

CUSTOMER = "alex_morgan_1001"
MESSAGES = ["where is my order #W1234567?", "what is your return policy?", "thanks!"]
MARKS = (10, 60, 120)


def measure(path: Path) -> dict[str, int]:
    """The file size, live bytes and rows of the checkpoint database at `path`."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        checkpoints = conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
        writes = conn.execute("SELECT COUNT(*) FROM writes").fetchone()[0]
    finally:
        conn.close()
    wal = path.with_name(path.name + "-wal")
    size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return {
        "file": size,
        "live": (pages - free) * page_size,
        "checkpoints": checkpoints,
        "writes": writes,
    }


def conversation(turns: int, marks: tuple[int, ...]) -> dict[int, dict[str, int]]:
    """Run one conversation of `turns` messages; return the measurements at each mark."""
    found: dict[int, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "data", model="", checkpointer="sqlite")
        services = Root(settings).services
        context = Context(customer_id=CUSTOMER, model="")
        with open_checkpointer(settings) as saver:
            graph = compile_graph(services, saver)
            config = turn_config("bench-long")
            for turn in range(1, turns + 1):
                message = customer_input(MESSAGES[(turn - 1) % len(MESSAGES)], "bench")
                graph.invoke(message, config, context=context, durability="sync")
                if turn in marks:
                    found[turn] = measure(settings.checkpoint_db)
    return found


def _spread(values: list[float], unit: float = 1.0) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{low / unit:,.0f} / {mid / unit:,.0f} / {high / unit:,.0f}"


def main() -> None:
    """Run the conversations and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=max(MARKS), help="turns per conversation")
    parser.add_argument("--runs", type=int, default=3, help="conversations measured")
    args = parser.parse_args()
    marks = tuple(m for m in MARKS if m <= args.turns) or (args.turns,)
    runs = [conversation(args.turns, marks) for _ in range(args.runs)]
    # "all" where the retention setting does not exist (a checkout from before it).
    keep = getattr(Settings(), "checkpoint_keep", "all")
    table = Table(
        title=f"SQLite checkpoints of one conversation, {args.runs} runs (min / median / max); "
        f"checkpoint_keep={keep}"
    )
    for column in ("turns", "file KB", "live KB", "bytes/turn", "checkpoints", "writes"):
        table.add_column(column, justify="right")
    for mark in marks:
        rows = [run[mark] for run in runs]
        table.add_row(
            str(mark),
            _spread([r["file"] for r in rows], 1024),
            _spread([r["live"] for r in rows], 1024),
            _spread([r["file"] / mark for r in rows]),
            _spread([r["checkpoints"] for r in rows]),
            _spread([r["writes"] for r in rows]),
        )
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
