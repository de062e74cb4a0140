"""The pretrained sentence encoder (all-MiniLM-L6-v2 on NumPy) behind the Embedder protocol."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tools.embeddings import Embedder, pretrained
from tools.embeddings.pretrained import (
    EXTRA_HINT,
    PretrainedEmbedder,
    PretrainedEncoderUnavailable,
    find_model_dir,
    load_pretrained_embedder,
    pretrained_available,
)

needs_encoder = pytest.mark.skipif(
    not pretrained_available(), reason=f"pretrained encoder not installed ({EXTRA_HINT})"
)


@pytest.fixture(scope="module")
def embedder() -> PretrainedEmbedder:
    return load_pretrained_embedder()


def test_missing_weights_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pretrained, "WEIGHT_PACKAGES", (("no_such_weights_package", "x"),))
    with pytest.raises(PretrainedEncoderUnavailable, match=r"tandem\[encoder\]"):
        find_model_dir()
    assert not pretrained_available()


def test_weights_that_are_not_the_published_ones_are_refused(tmp_path: Path) -> None:
    pytest.importorskip("safetensors")
    pytest.importorskip("tokenizers")
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(PretrainedEncoderUnavailable, match="not the published"):
        PretrainedEmbedder(tmp_path)


@needs_encoder
def test_embeddings_are_unit_vectors_of_the_model_dimension(embedder: PretrainedEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.name == "all-MiniLM-L6-v2"
    vectors = embedder.embed(["where is my card", "hello"])
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


@needs_encoder
def test_paraphrases_are_closer_than_unrelated_sentences(embedder: PretrainedEmbedder) -> None:
    # Reference values from sentence-transformers for all-MiniLM-L6-v2: about 0.76 and 0.0.
    food, bread, card = embedder.embed(
        ["A man is eating food.", "A man is eating a piece of bread.", "My card has not arrived"]
    )
    assert float(food @ bread) == pytest.approx(0.76, abs=0.03)
    assert abs(float(food @ card)) < 0.15


@needs_encoder
def test_padding_in_a_batch_does_not_change_a_vector(embedder: PretrainedEmbedder) -> None:
    texts = ["hi", "I would like to know why my transfer to another bank has not arrived yet"]
    batch = embedder.embed(texts)
    for text, row in zip(texts, batch, strict=True):
        assert np.allclose(embedder.embed([text])[0], row, atol=1e-5)


@needs_encoder
def test_layer_features_are_normalised_per_layer(embedder: PretrainedEmbedder) -> None:
    features = embedder.layer_features(["block my card"], [4, 6])
    assert features.shape == (1, 768)
    assert np.allclose(np.linalg.norm(features[0, :384]), 1.0, atol=1e-5)
    assert np.allclose(features[0, 384:], embedder.embed(["block my card"])[0], atol=1e-5)
