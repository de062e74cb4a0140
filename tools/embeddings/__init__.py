"""Text embeddings behind one interface: pretrained encoders, Bedrock Titan, local hashing."""

from tools.embeddings.base import Embedder, HashingEmbedder

__all__ = ["Embedder", "HashingEmbedder"]
