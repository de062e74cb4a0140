"""The Markdown report of a run: what produced it, the metrics, and every case, failures first."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from evals.metrics import METRICS, format_value
from evals.records import CaseResult, CheckResult, RunResult

BAR_WIDTH = 24


def ordered_cases(run: RunResult) -> list[CaseResult]:
    """Failed cases first (policy violations before other failures), then passed ones."""

    def rank(case: CaseResult) -> int:
        if case.passed:
            return 2
        return 0 if case.violations else 1

    return sorted(run.cases, key=rank)


def tag_pass_rates(run: RunResult) -> dict[str, tuple[int, int]]:
    """Tag → (passed, total) over the run's cases."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in run.cases:
        for tag in case.tags or ["untagged"]:
            counts[tag][0] += int(case.passed)
            counts[tag][1] += 1
    return {tag: (p, t) for tag, (p, t) in sorted(counts.items())}


def summary_rows(run: RunResult) -> list[tuple[str, str, str]]:
    """(metric id, label, formatted value) for every metric the run has."""
    rows = [
        (name, info.label, format_value(name, run.metrics.get(name)))
        for name, info in METRICS.items()
    ]
    rows += [
        (name, f"simulated customers: {name}", f"{value * 100:.1f}%" if value is not None else "—")
        for name, value in run.metrics.items()
        if name.startswith("pass^")
    ]
    return rows


def short(value: Any, limit: int = 160) -> str:
    """A compact one-line rendering of a check's expected or actual value."""
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_line(check: CheckResult) -> str:
    """One failed check as "name (turn n): expected … · got …"."""
    where = f" (turn {check.turn + 1})" if check.turn is not None else ""
    policy = " [policy]" if check.policy else ""
    return (
        f"{check.name}{where}{policy}: expected {short(check.expected)} · got {short(check.actual)}"
    )


def provenance(run: RunResult) -> list[tuple[str, str]]:
    """(label, value) lines describing what produced the run."""
    meta = run.metadata
    code = meta.get("code", {})
    commit = code.get("short") or code.get("commit", "unknown")
    if code.get("dirty"):
        commit += f" (uncommitted changes, diff sha256 {str(code.get('diff_sha256'))[:12]})"
    prompts = ", ".join(
        f"{name} v{info['version']}{' (pinned)' if info.get('pinned') else ''}"
        for name, info in meta.get("prompts", {}).items()
    )
    models = meta.get("models", {})
    catalogue = meta.get("catalogue", {})
    return [
        ("suite", f"{run.suite.get('name')} v{run.suite.get('version')} ({run.suite.get('path')})"),
        ("started", f"{run.started_at} · {run.duration_s:.1f} s"),
        ("code", commit),
        ("model", models.get("agent") or "none — deterministic grounded drafter (offline)"),
        ("prompts", prompts or "—"),
        (
            "catalogue",
            f"{str(catalogue.get('fingerprint', ''))[:16]} ({catalogue.get('intents')} intents)",
        ),
        ("judge", _stage(run.judge.status, run.judge.reason, run.judge.model)),
        ("simulation", _stage(run.simulation.status, run.simulation.reason, run.simulation.model)),
    ]


def _stage(status: str, reason: str, model: str | None) -> str:
    if status == "ran":
        return f"ran ({model})"
    return f"{status}: {reason}" if reason else status


def text_bar(fraction: float | None, width: int = BAR_WIDTH) -> str:
    """A Unicode bar for a value in [0, 1]."""
    if fraction is None:
        return " " * width
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def _transcript(case: CaseResult) -> list[str]:
    lines = []
    for turn in case.turns:
        lines.append(f"> **customer:** {turn.say}  ")
        reply = " ".join(turn.reply.split())
        tools = ", ".join(c.name for c in turn.tool_calls) or "no tools"
        lines.append(
            f"> **bot** ({turn.intent}, {turn.route}, {tools}, {turn.latency_ms:.0f} ms): {reply}  "
        )
    return lines


def render_markdown(run: RunResult) -> str:
    """The whole Markdown report."""
    out = [f"# Tandem eval · {run.suite.get('name')} · {run.run_id}", ""]
    out += [f"- **{label}:** {value}" for label, value in provenance(run)]
    passed = sum(1 for c in run.cases if c.passed)
    out += ["", f"**{passed}/{len(run.cases)} cases passed.**", "", "## Metrics", ""]
    out += ["| metric | value | |", "|---|---:|---|"]
    for name, label, value in summary_rows(run):
        info = METRICS.get(name)
        raw = run.metrics.get(name)
        bar = text_bar(raw) if (info is None or info.kind == "rate") and raw is not None else ""
        out.append(f"| {label} | {value} | `{bar}` |" if bar else f"| {label} | {value} | |")
    out += ["", "## Pass rate by tag", "", "```"]
    for tag, (ok, total) in tag_pass_rates(run).items():
        out.append(f"{tag:<18} {text_bar(ok / total)} {ok}/{total}")
    out += ["```", ""]
    if run.tasks:
        out += [
            "## Simulated customers",
            "",
            "| task | successes | trials ended by |",
            "|---|---:|---|",
        ]
        for task in run.tasks:
            ends = ", ".join(t.ended_by for t in task.trials)
            out.append(f"| {task.id} | {task.successes}/{len(task.trials)} | {ends} |")
        out.append("")
    out += [
        "## Cases (failures first)",
        "",
        "| result | case | turns | failed checks | max latency |",
    ]
    out.append("|---|---|---:|---|---:|")
    for case in ordered_cases(run):
        status = "✅ pass" if case.passed else ("⛔ violation" if case.violations else "❌ fail")
        failed = ", ".join(sorted({c.name for c in case.failed_checks})) or "—"
        slowest = max((t.latency_ms for t in case.turns), default=0.0)
        out.append(f"| {status} | `{case.id}` | {len(case.turns)} | {failed} | {slowest:.0f} ms |")
    failures = [c for c in ordered_cases(run) if not c.passed]
    if failures:
        out += ["", "## Failures", ""]
    for case in failures:
        out += [f"### `{case.id}` — {case.description or 'no description'}", ""]
        out += [f"- {check_line(check)}" for check in case.failed_checks]
        out += ["", *_transcript(case), ""]
    judged = [c for c in run.cases if c.judge is not None]
    if judged:
        out += [
            "## Judge",
            "",
            "| case | helpfulness | tone | policy | rationale |",
            "|---|---:|---:|---:|---|",
        ]
        for case in judged:
            j = case.judge
            assert j is not None
            note = j.error or j.rationale
            out.append(
                f"| `{case.id}` | {j.helpfulness or '—'} | {j.tone or '—'} | "
                f"{j.policy_adherence or '—'} | {short(note, 120)} |"
            )
    return "\n".join(out).rstrip() + "\n"
