"""Run metrics computed from per-case results, so any subset (or resample) can be scored.

Intent accuracy and macro-F1 over the turns that expect an intent; tool-call precision and
recall over the turns that expect tools; handoff precision and recall over the cases that
say whether a human should take over; grounded claim rate over every checkable claim in
the bot's replies; policy violations; turn latency p50/p95; tokens and estimated cost
per conversation; the LLM judge's mean scores when it ran.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from evals.records import CaseResult


@dataclass(frozen=True)
class MetricInfo:
    """How to show and compare one metric."""

    label: str
    higher_is_better: bool | None
    kind: str
    """`rate` (0–1), `count`, `ms`, `usd`, `tokens` or `score` (1–5)."""


METRICS: dict[str, MetricInfo] = {
    "pass_rate": MetricInfo("cases passed", True, "rate"),
    "intent_accuracy": MetricInfo("intent accuracy", True, "rate"),
    "intent_macro_f1": MetricInfo("intent macro-F1", True, "rate"),
    "tool_precision": MetricInfo("tool-call precision", True, "rate"),
    "tool_recall": MetricInfo("tool-call recall", True, "rate"),
    "handoff_precision": MetricInfo("handoff precision", True, "rate"),
    "handoff_recall": MetricInfo("handoff recall", True, "rate"),
    "handoff_reason_accuracy": MetricInfo("handoff reason accuracy", True, "rate"),
    "grounded_claim_rate": MetricInfo("grounded claim rate", True, "rate"),
    "policy_violations": MetricInfo("policy violations", False, "count"),
    "latency_p50_ms": MetricInfo("turn latency p50", False, "ms"),
    "latency_p95_ms": MetricInfo("turn latency p95", False, "ms"),
    "tokens_per_conversation": MetricInfo("tokens / conversation", False, "tokens"),
    "cost_per_conversation_usd": MetricInfo("cost / conversation", False, "usd"),
    "judge_helpfulness": MetricInfo("judge: helpfulness", True, "score"),
    "judge_tone": MetricInfo("judge: tone", True, "score"),
    "judge_policy_adherence": MetricInfo("judge: policy adherence", True, "score"),
}
"""Every metric a run reports, in display order."""


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear-interpolated percentile (fraction in [0, 1]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def macro_f1(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Unweighted mean F1 over every label seen as expected or predicted."""
    if not pairs:
        return None
    labels = {label for pair in pairs for label in pair}
    scores = []
    for label in labels:
        tp = sum(1 for want, got in pairs if want == label and got == label)
        fp = sum(1 for want, got in pairs if want != label and got == label)
        fn = sum(1 for want, got in pairs if want == label and got != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def compute_metrics(cases: Sequence[CaseResult]) -> dict[str, float | None]:
    """Every metric of :data:`METRICS` (plus counts) for `cases`."""
    stats = [case.stats for case in cases]
    pairs = [pair for s in stats for pair in s.intent_pairs]
    tp = sum(s.tool_tp for s in stats)
    fp = sum(s.tool_fp for s in stats)
    fn = sum(s.tool_fn for s in stats)
    judged = [s for s in stats if s.handoff_expected is not None]
    h_tp = sum(1 for s in judged if s.handoff_expected and s.handoff_actual)
    h_fp = sum(1 for s in judged if not s.handoff_expected and s.handoff_actual)
    h_fn = sum(1 for s in judged if s.handoff_expected and not s.handoff_actual)
    reasons = [s.handoff_reason_ok for s in stats if s.handoff_reason_ok is not None]
    latencies = [t.latency_ms for case in cases for t in case.turns]
    costs = [case.cost_usd for case in cases]
    judges = [case.judge for case in cases if case.judge is not None and not case.judge.error]
    n = len(cases)
    return {
        "cases": float(n),
        "turns": float(len(latencies)),
        "pass_rate": _ratio(sum(1 for c in cases if c.passed), n),
        "intent_accuracy": _ratio(sum(1 for want, got in pairs if want == got), len(pairs)),
        "intent_macro_f1": macro_f1(pairs),
        "tool_precision": _ratio(tp, tp + fp),
        "tool_recall": _ratio(tp, tp + fn),
        "handoff_precision": _ratio(h_tp, h_tp + h_fp),
        "handoff_recall": _ratio(h_tp, h_tp + h_fn),
        "handoff_reason_accuracy": _ratio(sum(reasons), len(reasons)),
        "grounded_claim_rate": _ratio(
            sum(s.grounded_claims for s in stats), sum(s.claims for s in stats)
        ),
        "claims": float(sum(s.claims for s in stats)),
        "policy_violations": float(sum(s.violations for s in stats)),
        "cases_with_violations": float(sum(1 for s in stats if s.violations)),
        "latency_p50_ms": percentile(latencies, 0.5),
        "latency_p95_ms": percentile(latencies, 0.95),
        "tokens_per_conversation": _ratio(sum(c.usage.total_tokens for c in cases), n),
        "cost_per_conversation_usd": None
        if not costs or any(c is None for c in costs)
        else sum(c for c in costs if c is not None) / n,
        "judge_helpfulness": _mean([j.helpfulness for j in judges]),
        "judge_tone": _mean([j.tone for j in judges]),
        "judge_policy_adherence": _mean([j.policy_adherence for j in judges]),
    }


def pass_hat_k(successes: Sequence[int], trials: int, k: int) -> float | None:
    """τ-bench's pass^k: the chance that k trials of a task all succeed, averaged over tasks.

    For a task with `c` successes out of `n` trials the unbiased estimate is C(c,k)/C(n,k).
    """
    if not successes or k < 1 or k > trials:
        return None
    return sum(math.comb(c, k) / math.comb(trials, k) for c in successes) / len(successes)


def format_value(name: str, value: float | None) -> str:
    """Render a metric value for reports and tables."""
    if value is None:
        return "—"
    kind = METRICS[name].kind if name in METRICS else "count"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "ms":
        return f"{value:.1f} ms"
    if kind == "usd":
        return f"${value:.4f}"
    if kind == "score":
        return f"{value:.2f}/5"
    if kind == "tokens":
        return f"{value:,.0f}"
    return f"{value:g}"
