"""Amazon Bedrock Titan Text Embeddings v2, behind the `Embedder` interface.

Each text is one `InvokeModel` call on the `bedrock-runtime` client (the model embeds one
input per request), with `normalize` on so rows are unit vectors like every other
embedder's. Calls for a batch run on a few threads; boto3 clients are thread-safe and
botocore's standard retry mode backs off on throttling. An empty text maps to the zero
vector without a call, as it does for the local embedders.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from tools.embeddings.base import normalise_rows

DEFAULT_MODEL_ID = "amazon.titan-embed-text-v2:0"
SUPPORTED_DIMENSIONS = (256, 512, 1024)
"""Output sizes Titan Text Embeddings v2 accepts."""
DEFAULT_DIMENSION = 1024
MAX_INPUT_CHARS = 50_000
"""Titan v2 accepts up to 50,000 characters (and 8,192 tokens) per input."""


class EmbeddingError(RuntimeError):
    """Bedrock refused or failed an embedding request; the message says why."""


class TitanEmbedder:
    """Embeds texts with Titan Text Embeddings v2 through a boto3 `bedrock-runtime` client."""

    def __init__(
        self,
        client: Any,
        model_id: str = DEFAULT_MODEL_ID,
        dimension: int = DEFAULT_DIMENSION,
        max_workers: int = 4,
    ) -> None:
        """Use `client` (a boto3 `bedrock-runtime` client) to embed into `dimension` floats."""
        if dimension not in SUPPORTED_DIMENSIONS:
            raise ValueError(
                f"Titan Text Embeddings v2 returns {', '.join(map(str, SUPPORTED_DIMENSIONS))} "
                f"dimensions, not {dimension}"
            )
        self.client = client
        self.model_id = model_id
        self.dimension = dimension
        self.name = f"bedrock:{model_id}:{dimension}"
        self.max_workers = max(1, max_workers)

    @classmethod
    def from_settings(
        cls,
        region: str,
        endpoint_url: str | None = None,
        model_id: str = DEFAULT_MODEL_ID,
        dimension: int | None = None,
        max_attempts: int = 3,
    ) -> TitanEmbedder:
        """Create the boto3 client for `region` (and endpoint override) and wrap it."""
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "bedrock-runtime",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(retries={"max_attempts": max_attempts, "mode": "standard"}),
        )
        return cls(client, model_id=model_id, dimension=dimension or DEFAULT_DIMENSION)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a `(len(texts), dimension)` float32 array of unit rows.

        Raises `EmbeddingError` when Bedrock rejects a request or answers without a vector
        of the expected length.
        """
        batch = list(texts)
        result = np.zeros((len(batch), self.dimension), dtype=np.float32)
        wanted = [index for index, text in enumerate(batch) if text.strip()]
        if not wanted:
            return result
        if len(wanted) == 1 or self.max_workers == 1:
            vectors = [self._embed_one(batch[index]) for index in wanted]
        else:
            with ThreadPoolExecutor(max_workers=min(self.max_workers, len(wanted))) as pool:
                vectors = list(pool.map(self._embed_one, (batch[index] for index in wanted)))
        result[wanted] = np.asarray(vectors, dtype=np.float32)
        return normalise_rows(result)

    def _embed_one(self, text: str) -> list[float]:
        from botocore.exceptions import BotoCoreError, ClientError

        body = {
            "inputText": text[:MAX_INPUT_CHARS],
            "dimensions": self.dimension,
            "normalize": True,
        }
        try:
            response = self.client.invoke_model(
                modelId=self.model_id,
                body=json.dumps(body),
                contentType="application/json",
                accept="application/json",
            )
            payload = json.loads(response["body"].read())
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise EmbeddingError(
                f"Bedrock {self.model_id}: {error.get('Code', 'error')}: "
                f"{error.get('Message', exc)}"
            ) from exc
        except (BotoCoreError, ValueError) as exc:
            raise EmbeddingError(f"Bedrock {self.model_id}: {exc}") from exc
        vector = payload.get("embedding") if isinstance(payload, dict) else None
        if not isinstance(vector, list) or len(vector) != self.dimension:
            size = len(vector) if isinstance(vector, list) else "no"
            raise EmbeddingError(
                f"Bedrock {self.model_id} answered {size} values, expected {self.dimension}"
            )
        return [float(value) for value in vector]
