"""Quality gates: a run's metrics against the thresholds checked into `evals/thresholds.yaml`.

A gate failure explains itself: each metric below (or above) its threshold with both
numbers, then every broken case with the checks that failed, expected versus actual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from evals.metrics import format_value
from evals.records import RunResult
from evals.report import check_line, ordered_cases

THRESHOLDS_PATH = Path(__file__).resolve().parent / "thresholds.yaml"


@dataclass(frozen=True)
class GateFailure:
    """A metric on the wrong side of its threshold."""

    metric: str
    value: float | None
    bound: str
    threshold: float

    def __str__(self) -> str:
        sign = "≥" if self.bound == "min" else "≤"
        got = format_value(self.metric, self.value) if self.value is not None else "not measured"
        want = format_value(self.metric, self.threshold)
        return f"{self.metric}: {got}, required {sign} {want}"


def load_thresholds(suite: str, path: Path = THRESHOLDS_PATH) -> dict[str, dict[str, float]]:
    """The thresholds for `suite` (empty when the suite has none)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of suite → thresholds")
    suite_thresholds = data.get(suite) or {}
    return {metric: dict(bounds) for metric, bounds in suite_thresholds.items()}


def without_latency(thresholds: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """The thresholds that do not depend on how fast the machine is."""
    return {metric: bounds for metric, bounds in thresholds.items() if "latency" not in metric}


def check_gate(
    run: RunResult, thresholds: dict[str, dict[str, float]], allow_missing: bool = False
) -> list[GateFailure]:
    """Every threshold the run misses.

    A metric the run could not compute (no case measures it) misses too, unless
    `allow_missing` (for runs of a subset of the suite's cases).
    """
    failures = []
    for metric, bounds in thresholds.items():
        value = run.metrics.get(metric)
        for bound, threshold in bounds.items():
            if bound not in ("min", "max"):
                raise ValueError(f"threshold {metric}.{bound}: use min or max")
            if value is None and allow_missing:
                continue
            missed = value is None or (value < threshold if bound == "min" else value > threshold)
            if missed:
                failures.append(GateFailure(metric, value, bound, float(threshold)))
    return failures


def gate_report(run: RunResult, failures: list[GateFailure], limit: int = 25) -> str:
    """A readable account of why the gate failed: metrics, then the broken cases."""
    lines = [f"Quality gate failed for suite {run.suite.get('name')} (run {run.run_id}):"]
    lines += [f"  ✗ {failure}" for failure in failures]
    broken = [case for case in ordered_cases(run) if not case.passed]
    if broken:
        lines.append(f"\n{len(broken)} case(s) broke:")
    for case in broken[:limit]:
        lines.append(f"\n  {case.id} — {case.description}")
        lines += [f"    - {check_line(check)}" for check in case.failed_checks]
        for turn in case.turns:
            lines.append(f"      customer: {turn.say}")
            lines.append(f"      bot:      {' '.join(turn.reply.split())[:200]}")
    if len(broken) > limit:
        lines.append(f"\n  … and {len(broken) - limit} more")
    return "\n".join(lines)
