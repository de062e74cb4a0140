"""Running suites through the real support graph: checks, isolation, reports, prompts, usage."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from evals.runner import RunOptions, run_suite
from evals.store import find_run, load_run, save_run
from prompts import templates
from tests.evals.conftest import make_suite
from tests.fakes import ScriptedChatModel, scripted


class MeteredChatModel(ScriptedChatModel):
    """A scripted model that reports token usage the way Bedrock Converse does."""

    def _stream(self, messages, *args, **kwargs):
        reply = self._next(messages)
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content=reply.content,
                usage_metadata=reply.usage_metadata,
                response_metadata=reply.response_metadata,
            )
        )


MINI = """
name: mini
version: 1
cases:
  - id: cancel
    tags: [orders]
    turns:
      - say: "cancel order #W1234567, no longer needed"
        expect: {pending_action: cancel_pending_order, grounded_facts: ["$662.79"]}
      - say: "yes"
        expect: {tools: [{name: cancel_pending_order, args: {order_id: "#W1234567"}}]}
    expect:
      actions: [{name: cancel_pending_order, args: {order_id: "#W1234567"}}]
      final_orders: {"#W1234567": {status: cancelled}}
  - id: status-after-other-cancel
    tags: [orders]
    description: Another case's cancellation must not leak into this one's store.
    turns:
      - say: "what's in order #W1234567?"
        expect: {contains: ["pending"]}
    expect: {final_orders: {"#W1234567": {status: pending}}}
  - id: wrong-expectations
    tags: [smalltalk]
    description: Fails on purpose.
    turns:
      - say: "hello"
        expect: {intent: thanks, contains: ["goodbye"], tools: [{name: get_order_details}]}
    expect: {handoff: true}
  - id: laptop
    tags: [handoff]
    turns:
      - say: "return my laptop order #W4567890"
    expect: {handoff: true, handoff_reason: policy_refund_limit}
"""


def test_a_suite_runs_with_checks_isolation_and_metrics(eval_backends):
    run = run_suite(make_suite(MINI), eval_backends, RunOptions(concurrency=2))
    by_id = {case.id: case for case in run.cases}
    assert [c.id for c in run.cases] == [
        "cancel",
        "status-after-other-cancel",
        "wrong-expectations",
        "laptop",
    ]
    assert by_id["cancel"].passed, by_id["cancel"].failed_checks
    assert by_id["status-after-other-cancel"].passed, "each case has its own order store"
    assert by_id["laptop"].passed
    wrong = by_id["wrong-expectations"]
    assert not wrong.passed and not wrong.violations
    failed = {c.name: c for c in wrong.failed_checks}
    assert set(failed) == {"intent", "contains", "tools", "case_handoff"}
    assert failed["intent"].expected == "thanks" and failed["intent"].actual == "greeting"
    assert run.metrics["pass_rate"] == 0.75
    assert run.metrics["intent_accuracy"] == 0.0
    assert run.metrics["handoff_precision"] == 1.0 and run.metrics["handoff_recall"] == 0.5
    assert run.metrics["policy_violations"] == 0
    assert run.metrics["grounded_claim_rate"] == 1.0
    assert run.metrics["latency_p95_ms"] > 0
    assert run.judge.status == "skipped" and "no model" in run.judge.reason
    assert run.simulation.status == "skipped"
    meta = run.metadata
    assert meta["code"]["commit"]
    assert meta["prompts"]["draft_system"]["version"] >= 1
    assert meta["catalogue"]["fingerprint"] == eval_backends.catalogue.fingerprint
    assert meta["models"]["agent"] is None
    assert "refund_limit" in meta["settings"]


def test_concurrency_does_not_change_outcomes(eval_backends):
    suite = make_suite(MINI)
    serial = run_suite(suite, eval_backends, RunOptions(concurrency=1))
    parallel = run_suite(suite, eval_backends, RunOptions(concurrency=4))
    assert [(c.id, c.passed) for c in serial.cases] == [(c.id, c.passed) for c in parallel.cases]
    assert [t.reply for c in serial.cases for t in c.turns] == [
        t.reply for c in parallel.cases for t in c.turns
    ]


def test_only_selects_by_id_or_tag(eval_backends):
    run = run_suite(make_suite(MINI), eval_backends, RunOptions(only=["handoff", "cancel"]))
    assert [c.id for c in run.cases] == ["cancel", "laptop"]


def test_reports_put_failures_first_and_are_self_contained(eval_backends, tmp_path: Path):
    run = run_suite(make_suite(MINI), eval_backends)
    folder = save_run(run, tmp_path)
    markdown = (folder / "report.md").read_text()
    html = (folder / "report.html").read_text()
    assert markdown.index("`wrong-expectations`") < markdown.index("`cancel`")
    assert "intent (turn 1): expected thanks · got greeting" in markdown
    assert "judge:** skipped: no model configured" in markdown
    assert html.count("<svg") >= 3
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert html.index("wrong-expectations") < html.index("status-after-other-cancel")
    assert find_run(run.run_id[:20], tmp_path) == folder / "results.json"
    assert load_run("latest", tmp_path).run_id == run.run_id
    assert load_run(str(folder), tmp_path).cases[0].turns[0].say.startswith("cancel")


def test_prompt_versions_are_pinned_for_the_run(eval_backends, tmp_path: Path, monkeypatch):
    for version in (1, 2):
        text = f"PROMPT V{version} for {{store_name}} {{max_steps}} {{situation}} {{facts}}"
        (tmp_path / f"draft_system.v{version}.md").write_text(text)
    (tmp_path / "judge_rubric.v1.md").write_text("rubric")
    monkeypatch.setattr(templates, "TEMPLATE_DIR", tmp_path)
    templates._read.cache_clear()
    suite = make_suite("name: p\nversion: 1\ncases: [{id: a, turns: [{say: hello}]}]")
    # The drafting prompt is used when the rules plan and the model words the reply.
    settings = eval_backends.settings.model_copy(update={"model_plans": False})
    monkeypatch.setattr(eval_backends, "settings", settings)
    try:
        for version in (1, 2):
            model = scripted("Hello from the model!")
            options = RunOptions(
                chat_model=model, judge=False, prompt_versions={"draft_system": version}
            )
            run = run_suite(suite, eval_backends, options)
            assert f"PROMPT V{version}" in model.seen[0][0].content
            assert run.metadata["prompts"]["draft_system"] == {
                "version": version, "pinned": True,
                "sha256": run.metadata["prompts"]["draft_system"]["sha256"],
            }  # fmt: skip
        assert templates.load_template("draft_system").startswith("PROMPT V2"), "unpinned: newest"
    finally:
        templates._read.cache_clear()


def test_token_usage_and_cost_per_conversation(eval_backends):
    reply = AIMessage(
        content="Hi Alex! How can I help?",
        usage_metadata={"input_tokens": 1200, "output_tokens": 300, "total_tokens": 1500},
        response_metadata={"model_name": "anthropic.claude-3-5-haiku-20241022-v1:0"},
    )
    suite = make_suite("name: t\nversion: 1\ncases: [{id: a, turns: [{say: hello}]}]")
    model = MeteredChatModel(replies=[reply], seen=[])
    run = run_suite(suite, eval_backends, RunOptions(chat_model=model, judge=False))
    case = run.cases[0]
    assert case.turns[0].reply == "Hi Alex! How can I help?"
    assert (case.usage.input_tokens, case.usage.output_tokens) == (1200, 300)
    assert case.cost_usd == pytest.approx(1.2 * 0.0008 + 0.3 * 0.004)
    assert run.metrics["tokens_per_conversation"] == 1500
    assert run.metadata["models"]["agent"] == "scripted"
    budget_check = next(c for c in case.checks if c.name == "latency")
    assert budget_check.passed and budget_check.expected == {0: 20000}


def test_a_crashing_case_is_recorded_and_the_run_goes_on(eval_backends, monkeypatch):
    import evals.runner as runner

    real = runner.checks.case_checks

    def explode(expect, records, final_orders):
        if records and records[0].say == "hello":
            raise RuntimeError("boom")
        return real(expect, records, final_orders)

    monkeypatch.setattr(runner.checks, "case_checks", explode)
    run = run_suite(make_suite(MINI), eval_backends)
    crashed = run.case("wrong-expectations")
    assert crashed is not None and not crashed.passed
    assert crashed.error == "RuntimeError: boom"
    assert run.case("cancel").passed
