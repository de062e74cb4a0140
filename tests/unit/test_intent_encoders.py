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
from tools.intent.classifier import encoder_models, engine_name
from tools.intent.encoder_memo import memo_features, remembered_encoder_features
from tools.intent.features import encoder_features


def _installed(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    monkeypatch.setattr(encoders, "encoder_available", lambda name: name in names)


def test_auto_uses_the_installed_encoders_in_the_configured_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _installed(monkeypatch)
    assert engine_name("auto") == "tfidf-svm"
    _installed(monkeypatch, MPNET)
    assert engine_name("auto") == "tfidf-svm+all-mpnet-base-v2"
    _installed(monkeypatch, MPNET, MINILM)
    assert encoder_models("auto") == (MINILM, MPNET)
    assert encoder_models("auto", [MPNET]) == (MPNET,)
    assert encoder_models("off") == ()
    monkeypatch.setenv("TANDEM_INTENT_ENCODER_MODELS", '["all-mpnet-base-v2"]')
    from config.settings import get_settings

    get_settings.cache_clear()
    try:
        assert encoder_models("on") == (MPNET,)
    finally:
        monkeypatch.delenv("TANDEM_INTENT_ENCODER_MODELS")
        get_settings.cache_clear()


def test_on_requires_an_encoder_and_every_one_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch)
    with pytest.raises(PretrainedEncoderUnavailable, match=r"tandem\[encoder\]"):
        encoder_models("on")
    _installed(monkeypatch, MINILM)
    assert encoder_models("on") == (MINILM,)  # the configured list: what is installed
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
