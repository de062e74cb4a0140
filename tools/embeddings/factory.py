"""Pick the embedder the settings name: local hashing, the pretrained encoder, or Titan."""

from __future__ import annotations

from config.settings import Settings
from tools.embeddings.base import Embedder, HashingEmbedder

DEFAULT_HASHING_DIMENSION = 384


def build_embedder(settings: Settings) -> Embedder:
    """Return the embedder for `settings.embedder` (and `embedding_dimension`).

    Raises RuntimeError with an install hint when the pretrained encoder is not installed,
    and ValueError for a dimension the chosen model cannot produce.
    """
    if settings.embedder == "titan":
        from tools.embeddings.titan import TitanEmbedder

        return TitanEmbedder.from_settings(
            region=settings.aws_region,
            endpoint_url=settings.bedrock_endpoint_url,
            model_id=settings.titan_model_id,
            dimension=settings.embedding_dimension,
        )
    if settings.embedder == "pretrained":
        from tools.embeddings.pretrained import load_pretrained_embedder

        embedder: Embedder = load_pretrained_embedder()
        wanted = settings.embedding_dimension
        if wanted is not None and wanted != embedder.dimension:
            raise ValueError(
                f"the pretrained encoder returns {embedder.dimension} dimensions, not {wanted}"
            )
        return embedder
    return HashingEmbedder(settings.embedding_dimension or DEFAULT_HASHING_DIMENSION)
