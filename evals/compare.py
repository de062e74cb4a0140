"""Compare two runs of the same suite: per metric, per case, with significance.

Cases are paired by id. Pass/fail changes are tested with McNemar's exact test; every
metric gets a paired-bootstrap 95% confidence interval of the difference (B − A). A change
is called better or worse only when it is significant; otherwise it is "no significant
change", however large the raw difference looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evals.metrics import METRICS, compute_metrics, format_value
from evals.records import CaseResult, RunResult
from evals.significance import BootstrapResult, mcnemar_exact, multi_bootstrap

ALPHA = 0.05


@dataclass(frozen=True)
class MetricDiff:
    """One metric in both runs, the difference and whether it is significant."""

    name: str
    label: str
    a: float | None
    b: float | None
    bootstrap: BootstrapResult | None
    p_value: float | None
    verdict: str

    @property
    def delta(self) -> float | None:
        """B − A, when both are defined."""
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True)
class CaseDiff:
    """One case in both runs."""

    id: str
    a_passed: bool | None
    b_passed: bool | None
    a_failed: list[str]
    b_failed: list[str]

    @property
    def flip(self) -> str:
        """`fixed`, `broke`, `same`, `added` or `removed`."""
        if self.a_passed is None:
            return "added"
        if self.b_passed is None:
            return "removed"
        if self.a_passed == self.b_passed:
            return "same"
        return "fixed" if self.b_passed else "broke"


@dataclass
class Comparison:
    """Everything `tandem eval compare` shows."""

    run_a: str
    run_b: str
    paired: int
    metrics: list[MetricDiff] = field(default_factory=list)
    cases: list[CaseDiff] = field(default_factory=list)
    context: list[tuple[str, Any, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def flipped(self, kind: str) -> list[CaseDiff]:
        """Cases whose outcome changed in the given way (`fixed` / `broke`)."""
        return [case for case in self.cases if case.flip == kind]


def _verdict(name: str, diff: float | None, significant: bool) -> str:
    info = METRICS.get(name)
    if diff is None:
        return "n/a"
    if diff == 0:
        return "same"
    if not significant:
        return "no significant change"
    if info is None or info.higher_is_better is None:
        return "changed"
    better = (diff > 0) == info.higher_is_better
    return "better" if better else "worse"


def _context(a: RunResult, b: RunResult) -> list[tuple[str, Any, Any]]:
    def pick(run: RunResult) -> dict[str, Any]:
        meta = run.metadata
        code = meta.get("code", {})
        return {
            "suite version": run.suite.get("version"),
            "suite sha256": str(run.suite.get("sha256", ""))[:12],
            "code": code.get("short") or code.get("commit"),
            "uncommitted changes": (
                f"yes, diff {str(code.get('diff_sha256'))[:10]}" if code.get("dirty") else "no"
            ),
            "model": meta.get("models", {}).get("agent"),
            "judge": meta.get("models", {}).get("judge"),
            "catalogue": str(meta.get("catalogue", {}).get("fingerprint", ""))[:12],
            "concurrency": meta.get("options", {}).get("concurrency"),
            "cases run": len(run.cases),
            **{
                f"prompt {name}": f"v{info.get('version')} {str(info.get('sha256'))[:8]}"
                for name, info in meta.get("prompts", {}).items()
            },
        }

    left, right = pick(a), pick(b)
    return [(key, left.get(key), right.get(key)) for key in dict.fromkeys([*left, *right])]


def compare_runs(a: RunResult, b: RunResult, resamples: int = 1000, seed: int = 0) -> Comparison:
    """Compare run `b` against baseline `a`."""
    ids_a = {case.id for case in a.cases}
    shared = [case.id for case in b.cases if case.id in ids_a]
    pairs_a: list[CaseResult] = [c for i in shared if (c := a.case(i)) is not None]
    pairs_b: list[CaseResult] = [c for i in shared if (c := b.case(i)) is not None]
    result = Comparison(run_a=a.run_id, run_b=b.run_id, paired=len(shared), context=_context(a, b))
    if a.suite.get("name") != b.suite.get("name"):
        result.warnings.append(
            f"different suites: {a.suite.get('name')} vs {b.suite.get('name')}; only "
            f"{len(shared)} case id(s) in common are compared"
        )
    if a.suite.get("sha256") != b.suite.get("sha256"):
        result.warnings.append("the suite file changed between the runs")
    metrics_a, metrics_b = compute_metrics(pairs_a), compute_metrics(pairs_b)
    boot = multi_bootstrap(pairs_a, pairs_b, compute_metrics, resamples=resamples, seed=seed)
    broke = sum(1 for x, y in zip(pairs_a, pairs_b, strict=True) if x.passed and not y.passed)
    fixed = sum(1 for x, y in zip(pairs_a, pairs_b, strict=True) if not x.passed and y.passed)
    for name, info in METRICS.items():
        value_a, value_b = metrics_a.get(name), metrics_b.get(name)
        interval = boot.get(name)
        p_value = mcnemar_exact(fixed, broke) if name == "pass_rate" else None
        significant = (
            p_value < ALPHA if p_value is not None else bool(interval and interval.significant)
        )
        diff = None if value_a is None or value_b is None else value_b - value_a
        result.metrics.append(
            MetricDiff(
                name,
                info.label,
                value_a,
                value_b,
                interval,
                p_value,
                _verdict(name, diff, significant),
            )
        )
    for case_id in dict.fromkeys([*(c.id for c in a.cases), *(c.id for c in b.cases)]):
        ca, cb = a.case(case_id), b.case(case_id)
        result.cases.append(
            CaseDiff(
                id=case_id,
                a_passed=ca.passed if ca else None,
                b_passed=cb.passed if cb else None,
                a_failed=sorted({x.name for x in ca.failed_checks}) if ca else [],
                b_failed=sorted({x.name for x in cb.failed_checks}) if cb else [],
            )
        )
    return result


def format_delta(diff: MetricDiff) -> str:
    """The difference and its confidence interval, in the metric's units."""
    if diff.delta is None:
        return "—"
    info = METRICS[diff.name]
    scale, unit = (100.0, " pt") if info.kind == "rate" else (1.0, "")
    text = f"{diff.delta * scale:+.2f}{unit}"
    if diff.bootstrap is not None:
        text += f" [{diff.bootstrap.low * scale:+.2f}, {diff.bootstrap.high * scale:+.2f}]"
    return text


def render_comparison_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown (for pull requests and notes)."""
    out = [f"# Compare {comparison.run_a} → {comparison.run_b}", ""]
    out += [f"> ⚠ {w}" for w in comparison.warnings]
    out += ["", "| | A | B |", "|---|---|---|"]
    out += [
        f"| {k} | {a} | {b}{' ⬅ changed' if a != b else ''} |" for k, a, b in comparison.context
    ]
    out += ["", f"{comparison.paired} paired cases. Δ = B − A with a 95% paired-bootstrap CI.", ""]
    out += [
        "| metric | A | B | Δ [95% CI] | p (McNemar) | verdict |",
        "|---|---:|---:|---|---:|---|",
    ]
    for m in comparison.metrics:
        p = f"{m.p_value:.3f}" if m.p_value is not None else ""
        out.append(
            f"| {m.label} | {format_value(m.name, m.a)} | {format_value(m.name, m.b)} | "
            f"{format_delta(m)} | {p} | {m.verdict} |"
        )
    for kind, title in (("broke", "Broke (pass → fail)"), ("fixed", "Fixed (fail → pass)")):
        flipped = comparison.flipped(kind)
        out += ["", f"## {title}: {len(flipped)}", ""]
        out += [f"- `{c.id}`: now failing {', '.join(c.b_failed) or '—'}" for c in flipped]
    return "\n".join(out).rstrip() + "\n"
