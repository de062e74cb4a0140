"""Public benchmarks: intent (Banking77, CLINC150, Bitext), τ-bench replay, KB retrieval.

Data is read from `../shared/datasets/` relative to the repository root (or a folder
given explicitly); a benchmark whose data is absent is skipped with the reason, never
failed. `run_benchmarks()` runs them all (or the ones named) and returns their results.
Each benchmark takes the datasets folder and the settings (which choose the intent
classifier's encoder and the `intent_confidence_threshold` the CLINC150 row applies).
"""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.result import DEFAULT_DATASETS, BenchmarkResult, skipped
from config.settings import Settings, get_settings

Benchmark = Callable[[Path, Settings], BenchmarkResult]

BENCHMARKS: dict[str, str] = {
    "banking77": "evals.benchmarks.intent:banking77",
    "banking77_fewshot": "evals.benchmarks.intent:banking77_fewshot",
    "clinc150": "evals.benchmarks.intent:clinc150",
    "bitext": "evals.benchmarks.intent:bitext",
    "tau_replay": "evals.benchmarks.tau:tau_replay",
    "kb_retrieval": "evals.benchmarks.kb:kb_retrieval",
}
"""Every benchmark by name (→ `module:function`, imported when it runs), in run order."""


def benchmark(name: str) -> Benchmark:
    """The function that runs benchmark `name`."""
    module, _, function = BENCHMARKS[name].partition(":")
    runner: Benchmark = getattr(importlib.import_module(module), function)
    return runner


def run_benchmarks(
    only: list[str] | None = None,
    datasets: Path = DEFAULT_DATASETS,
    progress: Callable[[str], None] | None = None,
    settings: Settings | None = None,
) -> list[BenchmarkResult]:
    """Run the named benchmarks (all by default); unknown names raise `KeyError`.

    `settings` defaults to the process's (`get_settings()`).
    """
    names = only or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        raise KeyError(
            f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})"
        )
    settings = settings if settings is not None else get_settings()
    results = []
    for name in names:
        if progress:
            progress(name)
        started = time.perf_counter()
        if not datasets.is_dir():
            result = skipped(name, f"datasets folder not found at {datasets}")
        else:
            try:
                result = benchmark(name)(datasets, settings)
            except Exception as error:  # one broken benchmark must not hide the others
                result = BenchmarkResult(
                    name=name,
                    status="error",
                    reason=f"{type(error).__name__}: {error}",
                    details={"traceback": traceback.format_exc(limit=5)},
                )
        result.seconds = round(time.perf_counter() - started, 2)
        results.append(result)
    return results


__all__ = ["BENCHMARKS", "DEFAULT_DATASETS", "BenchmarkResult", "benchmark", "run_benchmarks"]
