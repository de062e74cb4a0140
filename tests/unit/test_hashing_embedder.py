import numpy as np

from tools.embeddings import Embedder, HashingEmbedder


def test_vectors_are_unit_length_and_deterministic():
    embedder = HashingEmbedder(dimension=64)
    first = embedder.embed(["Where is my order?", "reset my password"])
    again = HashingEmbedder(dimension=64).embed(["Where is my order?", "reset my password"])
    assert first.shape == (2, 64)
    assert first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(first, again)


def test_related_texts_are_closer_than_unrelated_ones():
    vectors = HashingEmbedder().embed(["where is my order", "where is my parcel", "reset password"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_empty_inputs():
    embedder = HashingEmbedder(dimension=16)
    assert embedder.embed([]).shape == (0, 16)
    assert not embedder.embed([""]).any()
    assert isinstance(embedder, Embedder)
