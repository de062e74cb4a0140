"""The NumPy BERT and MPNet forward passes, checked against a plain per-token reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tools.embeddings.numpy_transformer import (
    BertEncoder,
    MPNetEncoder,
    build_encoder,
    exact_gelu,
    gelu,
    relative_position_buckets,
)

HIDDEN, HEADS, LAYERS, VOCAB, INNER = 8, 2, 2, 20, 16


def _random_weights(kind: str, seed: int = 0) -> dict[str, np.ndarray]:
    generator = np.random.default_rng(seed)

    def rand(*shape: int) -> np.ndarray:
        return generator.normal(scale=0.5, size=shape).astype(np.float32)

    weights = {
        "embeddings.word_embeddings.weight": rand(VOCAB, HIDDEN),
        "embeddings.position_embeddings.weight": rand(40, HIDDEN),
        "embeddings.LayerNorm.weight": 1.0 + rand(HIDDEN) * 0.1,
        "embeddings.LayerNorm.bias": rand(HIDDEN) * 0.1,
    }
    if kind == "bert":
        weights["embeddings.token_type_embeddings.weight"] = rand(2, HIDDEN)
    else:
        weights["encoder.relative_attention_bias.weight"] = rand(32, HEADS)
    for index in range(LAYERS):
        prefix = f"encoder.layer.{index}."
        if kind == "bert":
            names = [prefix + "attention.self." + p for p in ("query", "key", "value")]
            names += [prefix + "attention.output.dense"]
            norm1 = prefix + "attention.output.LayerNorm"
        else:
            names = [prefix + "attention.attn." + p for p in ("q", "k", "v", "o")]
            norm1 = prefix + "attention.LayerNorm"
        for name in names:
            weights[name + ".weight"] = rand(HIDDEN, HIDDEN)
            weights[name + ".bias"] = rand(HIDDEN) * 0.1
        weights[prefix + "intermediate.dense.weight"] = rand(INNER, HIDDEN)
        weights[prefix + "intermediate.dense.bias"] = rand(INNER) * 0.1
        weights[prefix + "output.dense.weight"] = rand(HIDDEN, INNER)
        weights[prefix + "output.dense.bias"] = rand(HIDDEN) * 0.1
        for norm in (norm1, prefix + "output.LayerNorm"):
            weights[norm + ".weight"] = 1.0 + rand(HIDDEN) * 0.1
            weights[norm + ".bias"] = rand(HIDDEN) * 0.1
    return weights


def _config(kind: str) -> dict[str, object]:
    config: dict[str, object] = {
        "model_type": kind,
        "hidden_size": HIDDEN,
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "layer_norm_eps": 1e-5,
    }
    if kind == "mpnet":
        config.update(pad_token_id=1, relative_attention_num_buckets=32)
    return config


def _norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / math.sqrt(x.var() + 1e-5) * w + b


def _reference(kind: str, weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """One unpadded sentence, token by token and head by head, straight from the papers."""
    w = {name: value.astype(np.float64) for name, value in weights.items()}
    length, size = len(ids), HIDDEN // HEADS
    if kind == "bert":
        positions = list(range(length))
        extra = w["embeddings.token_type_embeddings.weight"][0]
    else:
        positions = [2 + i for i in range(length)]  # RoBERTa: padding_idx + 1 onwards
        extra = np.zeros(HIDDEN)
    x = np.array(
        [
            _norm(
                w["embeddings.word_embeddings.weight"][t]
                + w["embeddings.position_embeddings.weight"][p]
                + extra,
                w["embeddings.LayerNorm.weight"],
                w["embeddings.LayerNorm.bias"],
            )
            for t, p in zip(ids, positions, strict=True)
        ]
    )
    for index in range(LAYERS):
        prefix = f"encoder.layer.{index}."
        if kind == "bert":
            q, k, v = (prefix + "attention.self." + p for p in ("query", "key", "value"))
            o, norm1 = prefix + "attention.output.dense", prefix + "attention.output.LayerNorm"
        else:
            q, k, v, o = (prefix + "attention.attn." + p for p in ("q", "k", "v", "o"))
            norm1 = prefix + "attention.LayerNorm"

        def linear(name: str, rows: np.ndarray) -> np.ndarray:
            return rows @ w[name + ".weight"].T + w[name + ".bias"]

        queries, keys, values = linear(q, x), linear(k, x), linear(v, x)
        context = np.zeros_like(x)
        for head in range(HEADS):
            part = slice(head * size, (head + 1) * size)
            for i in range(length):
                scores = np.array(
                    [queries[i, part] @ keys[j, part] / math.sqrt(size) for j in range(length)]
                )
                if kind == "mpnet":
                    buckets = relative_position_buckets(length)
                    scores += w["encoder.relative_attention_bias.weight"][buckets[i], head]
                probabilities = np.exp(scores - scores.max())
                probabilities /= probabilities.sum()
                context[i, part] = probabilities @ values[:, part]
        attended = np.array(
            [_norm(row, w[norm1 + ".weight"], w[norm1 + ".bias"]) for row in linear(o, context) + x]
        )
        inner = linear(prefix + "intermediate.dense", attended)
        inner = 0.5 * inner * (1.0 + np.vectorize(math.erf)(inner / math.sqrt(2.0)))
        out = linear(prefix + "output.dense", inner) + attended
        norm2 = prefix + "output.LayerNorm"
        x = np.array([_norm(row, w[norm2 + ".weight"], w[norm2 + ".bias"]) for row in out])
    return x


@pytest.mark.parametrize("kind", ["bert", "mpnet"])
def test_forward_matches_the_per_token_reference(kind: str) -> None:
    weights = _random_weights(kind)
    encoder = build_encoder(weights, _config(kind))
    assert isinstance(encoder, BertEncoder if kind == "bert" else MPNetEncoder)
    sentences = [[0, 5, 7, 9, 2], [0, 3, 2]]
    ids = np.ones((2, 5), dtype=np.int64)  # 1 pads, as in MPNet's vocabulary
    mask = np.zeros((2, 5), dtype=np.float32)
    for row, sentence in enumerate(sentences):
        ids[row, : len(sentence)] = sentence
        mask[row, : len(sentence)] = 1.0
    states = encoder.forward(ids, mask)
    assert len(states) == LAYERS + 1
    for row, sentence in enumerate(sentences):
        expected = _reference(kind, weights, sentence)
        assert np.allclose(states[-1][row, : len(sentence)], expected, atol=2e-4)


def test_relative_position_buckets_follow_t5_bucketing() -> None:
    buckets = relative_position_buckets(200)
    # Query 150 against keys at growing distances to its left (key < query) ...
    left = {d: int(buckets[150, 150 - d]) for d in (0, 1, 7, 8, 16, 32, 127, 128, 150)}
    assert left == {0: 0, 1: 1, 7: 7, 8: 8, 16: 10, 32: 12, 127: 15, 128: 15, 150: 15}
    # ... and to its right, which use the other half of the buckets.
    assert [int(buckets[0, d]) for d in (1, 7, 8, 16, 32, 199)] == [17, 23, 24, 26, 28, 31]
    assert buckets.shape == (200, 200)


def test_unknown_architecture_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported encoder architecture"):
        build_encoder({}, {"model_type": "gpt2"})


def test_fast_gelu_matches_the_double_precision_erf_to_float32_rounding() -> None:
    x = np.concatenate(
        [np.linspace(-12.0, 12.0, 200_001), np.array([0.0, -0.0, 1e-30, -1e-30, 60.0, -60.0])]
    ).astype(np.float32)
    fast, exact = gelu(x), exact_gelu(x)
    assert fast.dtype == np.float32
    error = np.abs(fast.astype(np.float64) - exact.astype(np.float64))
    # Within four float32 ulps at the input's scale, as close as float32 arithmetic gets.
    assert np.all(error <= 4 * np.finfo(np.float32).eps * np.maximum(np.abs(x), 1.0))
    assert np.all(error[x >= 0] <= 4 * np.finfo(np.float32).eps * np.abs(exact[x >= 0]) + 1e-7)
    assert np.array_equal(gelu(x[:140].reshape(20, 7)), fast[:140].reshape(20, 7))
