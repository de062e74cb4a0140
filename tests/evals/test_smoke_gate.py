"""CI quality gate: the offline smoke suite through the real graph, against evals/thresholds.yaml.

A failure prints each metric below its threshold and every broken case with the checks
that failed (expected versus actual) and its transcript. Latency budgets are left to the
benchmarks: a test never depends on how busy the machine is.
"""

from __future__ import annotations

from evals.gate import check_gate, gate_report, load_thresholds, without_latency
from evals.loader import load_suite
from evals.runner import RunOptions, run_suite


def test_smoke_suite_meets_the_checked_in_thresholds(eval_backends):
    loaded = load_suite("smoke")
    thresholds = without_latency(load_thresholds("smoke"))
    assert thresholds, "evals/thresholds.yaml has no thresholds for the smoke suite"
    options = RunOptions(concurrency=2, judge=False, simulate=False, check_latency=False)
    run = run_suite(loaded, eval_backends, options)
    assert run.cases and run.judge.status == "skipped"
    failures = check_gate(run, thresholds)
    assert not failures, gate_report(run, failures)
    broken = [case for case in run.cases if not case.passed]
    assert not broken, gate_report(run, [])
