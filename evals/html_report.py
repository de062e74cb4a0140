"""The self-contained HTML report of a run: inline CSS and SVG charts, no network assets."""

from __future__ import annotations

from html import escape

from evals.charts import hbar_chart, histogram, pass_fail_chart
from evals.metrics import METRICS, format_value
from evals.records import CaseResult, RunResult
from evals.report import check_line, ordered_cases, provenance, summary_rows, tag_pass_rates

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#263238;
max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #cfd8dc}
table{border-collapse:collapse;margin:8px 0}td,th{padding:4px 10px;border-bottom:1px solid #eceff1;
text-align:left;vertical-align:top;font-size:14px}
.pass{color:#2e7d32;font-weight:600}.fail{color:#c62828;font-weight:600}
.violation{color:#fff;background:#c62828;padding:1px 6px;border-radius:3px}
details{margin:6px 0;padding:6px 10px;border:1px solid #eceff1;border-radius:4px}
details.failed{border-color:#ef9a9a;background:#fff8f8}
summary{cursor:pointer}.turn{margin:6px 0 6px 12px;font-size:13px}
.say{color:#1565c0}.reply{white-space:pre-wrap}.meta{color:#607d8b;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:18px}code{background:#eceff1;padding:0 3px}
"""


def _case_block(case: CaseResult) -> str:
    if case.passed:
        badge = '<span class="pass">pass</span>'
    elif case.violations:
        badge = '<span class="violation">policy violation</span>'
    else:
        badge = '<span class="fail">fail</span>'
    parts = [
        f'<details class="{"passed" if case.passed else "failed"}"'
        f"{'' if case.passed else ' open'}>",
        f"<summary>{badge} <code>{escape(case.id)}</code> — {escape(case.description)}</summary>",
    ]
    if case.failed_checks:
        parts.append("<ul>")
        parts += [f"<li>{escape(check_line(check))}</li>" for check in case.failed_checks]
        parts.append("</ul>")
    for turn in case.turns:
        tools = ", ".join(c.name for c in turn.tool_calls) or "no tools"
        handoff = f" · handoff ({turn.handoff_reason})" if turn.handoff else ""
        parts.append(
            f'<div class="turn"><div class="say">customer: {escape(turn.say)}</div>'
            f'<div class="reply">bot: {escape(turn.reply)}</div>'
            f'<div class="meta">intent {escape(str(turn.intent))} '
            f"({turn.intent_confidence:.2f}) · route {escape(str(turn.route))} · "
            f"{escape(tools)}{escape(handoff)} · {turn.latency_ms:.0f} ms</div></div>"
        )
    if case.judge is not None:
        j = case.judge
        text = j.error or (
            f"helpfulness {j.helpfulness}, tone {j.tone}, policy {j.policy_adherence}: "
            f"{j.rationale}"
        )
        parts.append(f'<div class="meta">judge: {escape(text)}</div>')
    parts.append("</details>")
    return "".join(parts)


def _charts(run: RunResult) -> str:
    rates = [
        (info.label, run.metrics.get(name), format_value(name, run.metrics.get(name)))
        for name, info in METRICS.items()
        if info.kind == "rate"
    ]
    charts = [hbar_chart(rates, 1.0, "Quality metrics (0–100%)")]
    tags = [(tag, ok, total) for tag, (ok, total) in tag_pass_rates(run).items()]
    charts.append(pass_fail_chart(tags, "Cases passed by tag"))
    latencies = [t.latency_ms for c in run.cases for t in c.turns]
    markers = [
        (label, value)
        for label, value in (
            ("p50", run.metrics.get("latency_p50_ms")),
            ("p95", run.metrics.get("latency_p95_ms")),
        )
        if value is not None
    ]
    charts.append(histogram(latencies, "Turn latency", "ms", markers=markers))
    judge = [
        (METRICS[name].label, run.metrics.get(name), format_value(name, run.metrics.get(name)))
        for name in ("judge_helpfulness", "judge_tone", "judge_policy_adherence")
    ]
    if any(value is not None for _, value, _ in judge):
        charts.append(hbar_chart(judge, 5.0, "LLM judge (1–5)"))
    hats = [(k, v, f"{v * 100:.1f}%" if v is not None else "—") for k, v in run.metrics.items()]
    hats = [row for row in hats if row[0].startswith("pass^")]
    if hats:
        charts.append(hbar_chart(hats, 1.0, "Simulated customers: pass^k"))
    return '<div class="charts">' + "".join(charts) + "</div>"


def render_html(run: RunResult) -> str:
    """The whole HTML report as one string."""
    title = f"Tandem eval · {run.suite.get('name')} · {run.run_id}"
    passed = sum(1 for c in run.cases if c.passed)
    meta_rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in provenance(run)
    )
    metric_rows = "".join(
        f"<tr><td>{escape(label)}</td><td>{escape(value)}</td></tr>"
        for _, label, value in summary_rows(run)
    )
    cases = "".join(_case_block(case) for case in ordered_cases(run))
    tasks = ""
    if run.tasks:
        rows = "".join(
            f"<tr><td>{escape(t.id)}</td><td>{t.successes}/{len(t.trials)}</td>"
            f"<td>{escape(', '.join(x.ended_by for x in t.trials))}</td></tr>"
            for t in run.tasks
        )
        tasks = (
            "<h2>Simulated customers</h2><table><tr><th>task</th><th>successes</th>"
            f"<th>ended by</th></tr>{rows}</table>"
        )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<table>{meta_rows}</table>"
        f"<p><strong>{passed}/{len(run.cases)} cases passed.</strong></p>"
        f"<h2>Charts</h2>{_charts(run)}"
        f"<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>{metric_rows}</table>"
        f"{tasks}<h2>Cases (failures first)</h2>{cases}</body></html>\n"
    )
