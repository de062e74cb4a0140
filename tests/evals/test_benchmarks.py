"""The public-benchmark runners on tiny generated datasets (the real data is not needed)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench import intent_clinc150
from config.settings import Settings
from evals.benchmarks import BENCHMARKS, run_benchmarks
from evals.benchmarks.intent import banking77, banking77_fewshot, bitext, clinc150
from evals.benchmarks.kb import kb_retrieval
from evals.benchmarks.tau import tau_replay
from tools.orders import SqliteOrderStore, StateHasher, generate_demo_data, invoke_tool

PHRASES = {
    "card_lost": ["i lost my card", "my card is lost", "cannot find my card", "card went missing"],
    "refund": ["i want a refund", "refund my money", "give me my money back", "refund please"],
    "greeting": ["hello there", "hi friend", "good morning", "hey how are you"],
}


def _rows(copies: int = 3) -> list[tuple[str, str]]:
    return [
        (f"{text} {n}" if n else text, label)
        for label, texts in PHRASES.items()
        for text in texts
        for n in range(copies)
    ]


def test_missing_datasets_are_skipped_with_a_reason(tmp_path: Path):
    results = run_benchmarks(datasets=tmp_path)
    assert [r.name for r in results] == list(BENCHMARKS)
    assert [r.status for r in results] == ["skipped"] * len(BENCHMARKS)
    assert all("not found" in r.reason for r in results)
    with pytest.raises(KeyError, match="unknown benchmark"):
        run_benchmarks(["nope"], datasets=tmp_path)


def _banking77(datasets: Path) -> None:
    folder = datasets / "banking77"
    folder.mkdir()
    with (folder / "train.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category"])
        writer.writerows(_rows(copies=2))


def test_banking77_cross_validation(tmp_path: Path):
    _banking77(tmp_path)
    result = banking77(tmp_path)
    assert result.status == "ok"
    assert len(result.details["folds"]) == 5
    assert 0.5 < result.metrics["accuracy"] <= 1.0


def test_banking77_prints_the_tfidf_baseline_of_the_same_run(tmp_path: Path):
    from bench import intent_banking77
    from bench.intent_common import IntentOptions

    _banking77(tmp_path)
    result = banking77(tmp_path, Settings(intent_encoder="on"))
    assert "+" in result.details["engine"], "the installed encoder is used"
    # The baseline is the linear SVM even where the product would pick logistic regression.
    alone = intent_banking77.run(tmp_path, IntentOptions(encoder="off", head="svm"))
    assert alone.details["head"] == "svm"
    assert result.details["accuracy_baseline"] == alone.metrics["accuracy"]
    expected = f"TF-IDF+SVM {alone.metrics['accuracy']:.4f} (this run)"
    assert result.reference["accuracy"].startswith(expected)
    plain = banking77(tmp_path, Settings(intent_encoder="off"))
    assert "accuracy_baseline" not in plain.details
    assert "(this run)" not in plain.reference["accuracy"]


def _clinc150(datasets: Path) -> None:
    folder = datasets / "clinc150"
    folder.mkdir()
    rows = [[t, label] for t, label in _rows()]
    oos = [
        ["what is the weather on mars", "oos"],
        ["sing me a song", "oos"],
        ["tell a joke", "oos"],
    ]
    data = {"train": rows, "val": rows[::3], "oos_train": oos, "oos_val": oos}
    (folder / "data_train_val.json").write_text(json.dumps(data))


def test_clinc150_reports_every_out_of_scope_decision(tmp_path: Path):
    _clinc150(tmp_path)
    result = clinc150(tmp_path, Settings(intent_confidence_threshold=0.3))
    assert result.status == "ok"
    assert set(result.metrics) == {
        f"{metric}_{decision}"
        for metric in ("in_scope_acc", "oos_recall")
        for decision in ("oos_class", "fitted", "graph", "no_oos_class")
    }
    assert result.metrics["oos_recall_oos_class"] > 0.5, "oos training rows are recalled"
    assert result.details["confidence_threshold"] == 0.3, "the setting, not a literal"
    assert result.details["rejection_threshold"] is not None, "fitted by the classifier"
    # a stricter setting rejects at least as much
    strict = clinc150(tmp_path, Settings(intent_confidence_threshold=0.99))
    assert strict.metrics["oos_recall_graph"] >= result.metrics["oos_recall_graph"]
    assert strict.metrics["oos_recall_no_oos_class"] >= result.metrics["oos_recall_no_oos_class"]
    assert "intent_confidence_threshold 0.99" in strict.reference["in_scope_acc_graph"]
    assert strict.metrics["oos_recall_fitted"] == result.metrics["oos_recall_fitted"]


def test_clinc150_graph_applies_the_fitted_threshold_by_default(tmp_path: Path):
    _clinc150(tmp_path)
    result = clinc150(tmp_path, Settings())
    fitted = result.details["rejection_threshold"]
    assert fitted is not None
    assert result.details["confidence_threshold"] == fitted
    assert result.metrics["oos_recall_graph"] == result.metrics["oos_recall_fitted"]
    assert result.metrics["in_scope_acc_graph"] == result.metrics["in_scope_acc_fitted"]


def test_clinc150_fitted_decision_is_the_classifiers(tmp_path: Path):
    from tools.intent import IntentClassifier, IntentPrediction

    classifier = IntentClassifier("off").train(
        [t for t, _ in _rows()] + ["sing me a song", "tell a joke", "weather on mars"],
        [label for _, label in _rows()] + ["oos"] * 3,
    )
    classifier.rejection_threshold = 0.5
    rejects = intent_clinc150.classifier_rejects(classifier)
    assert rejects(IntentPrediction("oos", 0.9))
    assert rejects(IntentPrediction("refund", 0.49))
    assert not rejects(IntentPrediction("refund", 0.5))
    classifier.rejection_threshold = None  # trained without an out-of-scope class
    assert not intent_clinc150.classifier_rejects(classifier)(IntentPrediction("refund", 0.01))
    graph = intent_clinc150.graph_rejects(0.45)
    assert graph(IntentPrediction("refund", 0.44)) and not graph(IntentPrediction("refund", 0.45))


def test_bench_command_prints_the_benchmark_rows_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    _clinc150(tmp_path)
    settings = Settings()
    row = clinc150(tmp_path, settings)
    args = ["--datasets", str(tmp_path), "--encoder", settings.intent_encoder]
    assert intent_clinc150.main([*args, "--no-embedding-cache"]) == 0
    printed = capsys.readouterr().out
    for decision in ("oos_class", "fitted", "graph", "no_oos_class"):
        assert f"oos recall {row.metrics[f'oos_recall_{decision}']:.4f}" in printed
    assert intent_clinc150.main(["--datasets", str(tmp_path / "absent")]) == 0
    assert capsys.readouterr().out.startswith("skipped: CLINC150 not found")


def test_banking77_few_shot(tmp_path: Path):
    folder = tmp_path / "banking77"
    folder.mkdir()
    with (folder / "train.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category"])
        writer.writerows(_rows(copies=4))  # 16 per intent: 12 or 13 outside each fold
    result = banking77_fewshot(tmp_path)
    assert result.status == "ok"
    assert result.details["shots"] == 10 and len(result.details["folds"]) == 5
    assert 0.5 < result.metrics["accuracy"] <= 1.0


def test_bitext_held_out_split(tmp_path: Path):
    folder = tmp_path / "bitext"
    folder.mkdir()
    with (folder / "sample.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instruction", "intent"])
        writer.writerows(_rows(copies=3))
    result = bitext(tmp_path)
    assert result.status == "ok" and result.metrics["accuracy"] > 0.5


def test_tau_replay_matches_a_recorded_task(tmp_path: Path):
    folder = tmp_path / "tau_retail"
    folder.mkdir()
    data = generate_demo_data()
    for name in ("users", "orders", "products"):
        (folder / f"{name}.json").write_text(json.dumps(data[name]))
    store = SqliteOrderStore()
    store.load_tau(data["users"], data["orders"], data["products"])
    kwargs = {"order_id": "#W1234567", "reason": "no longer needed"}
    output = invoke_tool(store, "cancel_pending_order", kwargs)
    digest = StateHasher().digest(store.export_documents())
    action = {"name": "cancel_pending_order", "kwargs": kwargs, "output": output}
    task = {"task_index": 0, "actions": [action], "final_state_sha256": digest}
    (folder / "expected_train.json").write_text(json.dumps({"tasks": [task]}))
    wrong = dict(task, task_index=1, final_state_sha256="0" * 64)
    (folder / "expected_dev.json").write_text(json.dumps({"tasks": [wrong]}))
    result = tau_replay(tmp_path)
    assert result.metrics == {"final_hash_match": 0.5, "observation_match": 1.0, "tasks": 2.0}
    assert result.details["mismatched_tasks"] == ["dev-1"]


def test_kb_retrieval_uses_the_bench_scoring(tmp_path: Path):
    folder = tmp_path / "kb_retrieval_banking"
    folder.mkdir()
    docs = [
        {"_id": "d1", "title": "Lost card", "text": "Report a lost or stolen card right away."},
        {"_id": "d2", "title": "Refunds", "text": "Refunds take five business days."},
        {"_id": "d3", "title": "Opening hours", "text": "Branches open at nine."},
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in docs))
    queries = [{"_id": "q1", "text": "I lost my card"}, {"_id": "q2", "text": "refund timing"}]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    result = kb_retrieval(tmp_path)
    assert result.status == "ok"
    assert result.metrics["mrr@10"] == 1.0 and result.metrics["ndcg@10"] == 1.0
    assert result.metrics["success@5"] == 1.0 and result.metrics["capped_recall@5"] == 1.0
