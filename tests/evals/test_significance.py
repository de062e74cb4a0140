"""McNemar, the paired bootstrap and run comparison on synthetic runs."""

from __future__ import annotations

from evals.compare import compare_runs, render_comparison_markdown
from evals.records import CaseResult, CaseStatsRecord, RunResult
from evals.significance import mcnemar_exact, paired_bootstrap


def _run(name: str, outcomes: list[bool]) -> RunResult:
    cases = [
        CaseResult(
            id=f"case-{i}",
            passed=ok,
            stats=CaseStatsRecord(intent_pairs=[("greeting", "greeting" if ok else "thanks")]),
        )
        for i, ok in enumerate(outcomes)
    ]
    return RunResult(run_id=name, suite={"name": "s", "version": 1, "sha256": "x"}, cases=cases)


def _pass_rate(comparison):
    return next(m for m in comparison.metrics if m.name == "pass_rate")


def test_mcnemar_exact_values():
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(2, 0) == 0.5
    assert mcnemar_exact(1, 1) == 1.0
    assert abs(mcnemar_exact(20, 0) - 2 / 2**20) < 1e-12
    assert abs(mcnemar_exact(10, 2) - 0.03857421875) < 1e-9


def test_identical_runs_are_not_significant():
    outcomes = [i % 4 != 0 for i in range(60)]
    result = compare_runs(_run("a", outcomes), _run("b", outcomes), resamples=300)
    rate = _pass_rate(result)
    assert rate.p_value == 1.0
    assert rate.verdict == "same"
    assert all(m.verdict in ("same", "n/a") for m in result.metrics)
    assert not result.flipped("fixed") and not result.flipped("broke")


def test_two_flips_out_of_sixty_are_not_a_win():
    before = [i >= 10 for i in range(60)]
    after = [i >= 8 for i in range(60)]
    result = compare_runs(_run("a", before), _run("b", after), resamples=500)
    rate = _pass_rate(result)
    assert round(rate.delta * 60) == 2
    assert rate.p_value == 0.5
    assert rate.verdict == "no significant change"
    assert rate.bootstrap is not None and rate.bootstrap.low <= 0 <= rate.bootstrap.high
    assert [c.id for c in result.flipped("fixed")] == ["case-8", "case-9"]


def test_twenty_flips_out_of_sixty_are_significant_both_ways():
    before = [i >= 30 for i in range(60)]
    after = [i >= 10 for i in range(60)]
    better = compare_runs(_run("a", before), _run("b", after), resamples=500)
    assert _pass_rate(better).p_value < 1e-5
    assert _pass_rate(better).verdict == "better"
    assert len(better.flipped("fixed")) == 20
    accuracy = next(m for m in better.metrics if m.name == "intent_accuracy")
    assert accuracy.verdict == "better" and accuracy.bootstrap.low > 0
    worse = compare_runs(_run("b", after), _run("a", before), resamples=500)
    assert _pass_rate(worse).verdict == "worse"
    assert len(worse.flipped("broke")) == 20
    text = render_comparison_markdown(worse)
    assert "Broke (pass → fail): 20" in text and "case-10" in text


def test_added_and_removed_cases_are_listed_but_not_paired():
    a = _run("a", [True, True])
    b = _run("b", [True])
    b.cases.append(CaseResult(id="new", passed=True))
    result = compare_runs(a, b, resamples=50)
    assert result.paired == 1
    assert {c.id: c.flip for c in result.cases} == {
        "case-0": "same",
        "case-1": "removed",
        "new": "added",
    }


def test_paired_bootstrap_is_deterministic_and_handles_undefined():
    a, b = [0.0] * 30, [1.0] * 30
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    first = paired_bootstrap(a, b, mean, resamples=200, seed=3)
    assert first == paired_bootstrap(a, b, mean, resamples=200, seed=3)
    assert first is not None and first.significant and first.delta == 1.0
    assert paired_bootstrap(a, b, lambda xs: None) is None
