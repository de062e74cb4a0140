"""Fast public benchmarks on the real datasets, when ../shared/datasets is present."""

from __future__ import annotations

import pytest

from evals.benchmarks import DEFAULT_DATASETS, run_benchmarks

pytestmark = pytest.mark.datasets


@pytest.mark.skipif(
    not DEFAULT_DATASETS.is_dir(), reason=f"datasets not found at {DEFAULT_DATASETS}"
)
def test_tau_replay_and_kb_retrieval_on_the_real_data():
    results = {r.name: r for r in run_benchmarks(["tau_replay", "kb_retrieval"])}
    tau, kb = results["tau_replay"], results["kb_retrieval"]
    if tau.status == "ok":
        assert tau.metrics["final_hash_match"] == 1.0
        assert tau.metrics["observation_match"] == 1.0
    if kb.status == "ok":
        assert kb.metrics["ndcg@10"] > 0.45
        assert kb.metrics["success@5"] > 0.85
    assert {tau.status, kb.status} <= {"ok", "skipped"}
