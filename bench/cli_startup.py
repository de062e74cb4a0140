"""Start-up cost of the `tandem` command line: CPU seconds and wall time per command.

Runs each command as a child process N times and reports, per command, the min / median
/ max of its CPU time (user + system, from `getrusage(RUSAGE_CHILDREN)` deltas) and of its
wall time, next to the CPU target. The commands run in a temporary data folder
(TANDEM_DATA_DIR) whose knowledge base is built once beforehand (not counted).

    .venv/bin/python -m bench.cli_startup [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

ARTICLES = Path(__file__).resolve().parents[1] / "tools" / "knowledge" / "articles"


@dataclass(frozen=True)
class Case:
    """One command line to time, with its CPU target in seconds (None: no target)."""

    args: tuple[str, ...]
    target: float | None


CASES = (
    Case(("--help",), 0.5),
    Case(("kb", "search", "how long do refunds take"), 2.0),
    Case(("auth", "token", "--role", "customer", "--sub", "x"), None),
)


def tandem_command() -> list[str]:
    """The `tandem` script beside this interpreter, else on PATH, else `python -m cli.main`."""
    beside = Path(sys.executable).with_name("tandem")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("tandem")
    return [found] if found else [sys.executable, "-m", "cli.main"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run `command` to completion; return its (CPU seconds, wall seconds)."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return _children_cpu() - cpu, time.perf_counter() - started


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main(argv: list[str] | None = None) -> int:
    """Time every case `--runs` times and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="Runs per command (default 5).")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    tandem = tandem_command()
    # A fixed width when piped, so each row stays on one line in logs.
    console = Console(width=None if sys.stdout.isatty() else 110)
    with tempfile.TemporaryDirectory(prefix="tandem-cli-startup-") as folder:
        work = Path(folder)
        env = {**os.environ, "TANDEM_DATA_DIR": str(work / "data"), "TANDEM_AUTH_MODE": "local"}
        # Build the knowledge base (and warm the bytecode caches); not counted.
        subprocess.run(
            [*tandem, "kb", "ingest", str(ARTICLES)],
            env=env,
            cwd=work,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        table = Table(title=f"tandem start-up · {args.runs} runs · min / median / max")
        table.add_column("command")
        table.add_column("CPU s (user+sys)", justify="right")
        table.add_column("target", justify="right")
        table.add_column("wall s", justify="right")
        table.add_column("", justify="center")
        for case in CASES:
            command = [*tandem, *case.args]
            run_once(command, env, work)  # warm-up (first key creation, page cache)
            cpu, wall = zip(*(run_once(command, env, work) for _ in range(args.runs)), strict=True)
            median = statistics.median(cpu)
            verdict = "" if case.target is None else "ok" if median <= case.target else "over"
            table.add_row(
                "tandem " + " ".join(f'"{a}"' if " " in a else a for a in case.args),
                _spread(list(cpu)),
                "—" if case.target is None else f"≤ {case.target:.1f}",
                _spread(list(wall)),
                verdict,
            )
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
