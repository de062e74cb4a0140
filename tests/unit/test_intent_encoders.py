"""Which pretrained encoders the intent engine uses, and how their vectors are remembered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.intent_common import cv_folds, few_shot_draw
from tools.embeddings import encoders
from tools.embeddings.encoders import MPNET
from tools.embeddings.pretrained import MODEL_NAME as MINILM
from tools.embeddings.pretrained import PretrainedEncoderUnavailable
from tools.intent import IntentClassifier
from tools.intent.cascade import cascade_accuracy, combine, fit_cascade_threshold
from tools.intent.classifier import encoder_models, engine_name
from tools.intent.encoder_memo import memo_features, remembered_encoder_features
from tools.intent.features import encoder_features


def _installed(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    monkeypatch.setattr(encoders, "encoder_available", lambda name: name in names)


def test_auto_uses_the_first_installed_choice_of_the_configured_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _installed(monkeypatch)
    assert engine_name("auto") == "tfidf-svm"
    _installed(monkeypatch, MINILM)
    assert engine_name("auto") == "tfidf-svm+all-MiniLM-L6-v2"
    _installed(monkeypatch, MPNET, MINILM)
    assert encoder_models("auto") == (MPNET,)  # preferred over MiniLM, not added to it
    assert encoder_models("auto", [MINILM, MPNET]) == (MINILM, MPNET)
    assert encoder_models("auto", [MPNET]) == (MPNET,)
    assert encoder_models("off") == ()
    stacked = ["all-MiniLM-L6-v2+all-mpnet-base-v2"]
    assert encoder_models("on", preferences=stacked) == (MINILM, MPNET)
    _installed(monkeypatch, MPNET)  # a choice is used only when all of it is installed
    with pytest.raises(PretrainedEncoderUnavailable, match=r"tandem\[encoder\]"):
        encoder_models("on", preferences=stacked)
    assert encoder_models("auto", preferences=stacked) == ()


def test_on_requires_an_encoder_and_every_one_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch)
    with pytest.raises(PretrainedEncoderUnavailable, match=r"tandem\[encoder\]"):
        encoder_models("on")
    _installed(monkeypatch, MINILM)
    assert encoder_models("on") == (MINILM,)  # the configured order: what is installed
    with pytest.raises(PretrainedEncoderUnavailable, match="encoder-mpnet"):
        encoder_models("on", [MINILM, MPNET])  # named explicitly: all of them
    with pytest.raises(PretrainedEncoderUnavailable):
        IntentClassifier("on", [MPNET]).train(["a", "b"], ["x", "y"])


class _FakeEmbedder:
    """Stands in for a pretrained encoder: a vector per text, and a count of calls."""

    def __init__(self, name: str, dimension: int = 4) -> None:
        self.name = name
        self.dimension = dimension
        self.layer_count = 1
        self.encoded: list[str] = []

    def layer_features(self, texts: list[str], layers: list[int]) -> np.ndarray:
        self.encoded.extend(texts)
        rows = [[len(text), text.count("a"), 1.0, float(len(layers))] for text in texts]
        return np.asarray(rows, dtype=np.float32)


def test_several_encoders_are_concatenated_with_their_weights() -> None:
    minilm, mpnet = _FakeEmbedder(MINILM), _FakeEmbedder(MPNET)
    features = encoder_features([minilm, mpnet], ["banana", "kiwi"])
    assert features.shape == (2, 8)
    # MiniLM pools three layers at weight 1; MPNet pools one at weight 2.
    assert features[0].tolist() == [6, 3, 1, 3, 12, 6, 2, 2]
    assert encoder_features(minilm, []).shape == (0, 12)  # three layers of four


def test_memo_encodes_each_text_once_and_keeps_it_on_disk(tmp_path: Path) -> None:
    first = _FakeEmbedder(MINILM)
    with remembered_encoder_features(tmp_path):
        a = encoder_features(first, ["one", "two", "one"])
        b = encoder_features(first, ["two", "three"])
    assert sorted(first.encoded) == ["one", "three", "two"]
    assert np.array_equal(a[1], b[0])
    assert len(list(tmp_path.glob("*.npz"))) == 1
    second = _FakeEmbedder(MINILM)
    with remembered_encoder_features(tmp_path):
        again = encoder_features(second, ["three", "one", "four"])
    assert second.encoded == ["four"]
    assert np.array_equal(again[1], a[0])
    outside = _FakeEmbedder(MINILM)
    encoder_features(outside, ["one", "one"])
    assert outside.encoded == ["one", "one"]
    assert memo_features(MINILM, (1,), ["x"], lambda texts: np.zeros((1, 1))) is None


def test_benchmark_folds_are_stratified_and_deterministic() -> None:
    labels = [f"intent_{i % 7}" for i in range(140)]
    first, second = cv_folds(labels, 5), cv_folds(labels, 5)
    tested = np.concatenate([test for _, test in first])
    assert sorted(tested.tolist()) == list(range(140))  # each row tested exactly once
    for (train_a, test_a), (train_b, test_b) in zip(first, second, strict=True):
        assert np.array_equal(train_a, train_b) and np.array_equal(test_a, test_b)
        assert not set(train_a) & set(test_a)
        assert sorted({labels[i] for i in test_a}) == sorted(set(labels))
        assert all(sum(labels[i] == name for i in test_a) == 4 for name in set(labels))


def test_few_shot_draw_takes_n_per_intent_from_the_pool_only() -> None:
    labels = [f"intent_{i % 5}" for i in range(200)]
    pool, test = cv_folds(labels, 5)[0]
    chosen = few_shot_draw(labels, pool, 10, fold=1)
    assert chosen == few_shot_draw(labels, pool, 10, fold=1)
    assert chosen != few_shot_draw(labels, pool, 10, fold=2)
    assert len(chosen) == len(set(chosen)) == 50
    assert set(chosen) <= set(pool.tolist()) and not set(chosen) & set(test.tolist())
    assert all(sum(labels[i] == f"intent_{k}" for i in chosen) == 10 for k in range(5))


def test_cascade_threshold_is_the_lowest_that_keeps_full_accuracy() -> None:
    # Rows 0-3: the fast stage is sure and right; row 4: sure (0.8) but wrong; row 5: unsure.
    fast = np.array([[0.95, 0.05]] * 2 + [[0.05, 0.95]] * 2 + [[0.8, 0.2], [0.55, 0.45]])
    full = np.array([[0.9, 0.1]] * 2 + [[0.1, 0.9]] * 2 + [[0.3, 0.7], [0.2, 0.8]])
    gold = np.array([0, 0, 1, 1, 1, 1])
    assert cascade_accuracy(fast, full, gold, 0.5) == (pytest.approx(4 / 6), 1.0)
    assert cascade_accuracy(fast, full, gold, 0.81) == (1.0, pytest.approx(4 / 6))
    assert fit_cascade_threshold(fast, full, gold) == 0.81
    assert np.array_equal(combine(fast, full, 0.81)[4:], full[4:])
    assert np.array_equal(combine(fast, full, 0.81)[:4], fast[:4])
    assert combine(fast, full, None) is full
    never = np.array([[0.99, 0.01]] * 6)  # always sure, often wrong: no threshold helps
    assert fit_cascade_threshold(never, full, gold) is None


def test_confident_messages_skip_the_encoder(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from tools.intent import classifier as module

    fake = _FakeEmbedder(MINILM)
    monkeypatch.setattr(module, "engine_name", lambda encoder, models: f"tfidf-svm+{MINILM}")
    monkeypatch.setattr(module, "load_embedders", lambda engine: [fake])
    topics = {
        "balance": ["what is my balance", "how much money do i have", "show my balance"],
        "transfer": ["send money to john", "transfer funds to savings", "wire cash to mum"],
        "card": ["my card is lost", "block my card", "my card was stolen"],
    }
    texts, labels = [], []
    for label, phrases in topics.items():
        for phrase in phrases:
            for suffix in (
                "",
                " please",
                " now",
                " today",
                " asap",
                " thanks",
                " pls",
                "!",
                "?",
                " ok",
            ):
                texts.append(phrase + suffix)
                labels.append(label)
    trained = IntentClassifier("on").train(texts, labels)
    assert trained.engine == f"tfidf-svm+{MINILM}"
    trained.cascade_threshold = 0.5
    fake.encoded.clear()
    sure = trained.predict("block my card please")
    assert sure.intent == "card" and sure.confidence >= 0.5
    assert fake.encoded == []  # answered by the TF-IDF stage alone
    assert trained.fast_stage_answers(["block my card please", "block my card please"]) == 1.0
    trained.cascade_threshold = 1.01  # nothing is sure enough: every message is encoded
    unsure = trained.predict("block my card please")
    assert trained.fast_stage_answers(["block my card please"]) == 0.0
    assert len(fake.encoded) == 1 and unsure.intent == "card"
    for threshold in (0.5, None):
        trained.cascade_threshold = threshold
        messages = ["block my card please", "zzz", "send money", ""]
        for single, batch in zip(
            [trained.predict(m) for m in messages], trained.predict_batch(messages), strict=True
        ):
            assert single.intent == batch.intent
            assert single.confidence == pytest.approx(batch.confidence, abs=1e-4)
    path = trained.save(tmp_path / "cascade.joblib")
    loaded = IntentClassifier.load(path)
    assert loaded.cascade_threshold is None and loaded.fast_temperature == trained.fast_temperature
    assert loaded.predict("send money now") == trained.predict("send money now")


def test_without_the_cascade_every_message_is_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.intent import classifier as module

    fake = _FakeEmbedder(MINILM)
    monkeypatch.setattr(module, "engine_name", lambda encoder, models: f"tfidf-svm+{MINILM}")
    monkeypatch.setattr(module, "load_embedders", lambda engine: [fake])
    texts = [f"{word} {n}" for word in ("hello", "goodbye") for n in range(10)]
    labels = [text.split()[0] for text in texts]
    few = IntentClassifier("on").train(texts, labels)  # 11 per intent: too few to cascade
    assert few.cascade_threshold is None
    trained = IntentClassifier("on", cascade=False).train(texts * 3, labels * 3)
    assert trained.cascade_threshold is None
    fake.encoded.clear()
    assert trained.predict("hello 3").intent == "hello"
    assert fake.encoded == ["hello number"]  # placeholders spelt out for the encoder
