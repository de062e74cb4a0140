"""Titan Text Embeddings v2 through the real boto3 client against a loopback InvokeModel server."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import numpy as np
import pytest

from config.settings import Settings
from tools.embeddings.base import Embedder
from tools.embeddings.titan import EmbeddingError, TitanEmbedder
from wiring.backends import build_embedder

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

MODEL_ID = "amazon.titan-embed-text-v2:0"


def stub_vector(text: str, dimension: int) -> list[float]:
    """The deterministic unit vector the stub answers for `text`."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(dimension)
    return (vector / np.linalg.norm(vector)).tolist()


@dataclass
class InvokeModelStub:
    """Answers `POST /model/{id}/invoke` like Bedrock's runtime, recording every request."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    failure: tuple[int, str, str] | None = None


def _handler(stub: InvokeModelStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.requests.append(
                {
                    "path": unquote(self.path),
                    "authorization": self.headers.get("Authorization", ""),
                    "body": body,
                }
            )
            if stub.failure is not None:
                status, code, message = stub.failure
                self._reply(status, {"message": message}, {"x-amzn-ErrorType": code})
                return
            vector = stub_vector(body["inputText"], body["dimensions"])
            self._reply(200, {"embedding": vector, "inputTextTokenCount": 3})

        def _reply(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture(scope="module")
def bedrock() -> Iterator[InvokeModelStub]:
    stub = InvokeModelStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub
    server.shutdown()
    server.server_close()


@pytest.fixture
def stub(bedrock: InvokeModelStub, monkeypatch: pytest.MonkeyPatch) -> InvokeModelStub:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    bedrock.requests.clear()
    bedrock.failure = None
    return bedrock


def titan(stub: InvokeModelStub, dimension: int = 256) -> TitanEmbedder:
    return TitanEmbedder.from_settings(
        region="eu-west-1", endpoint_url=stub.url, dimension=dimension, max_attempts=1
    )


def test_embeds_each_text_with_a_signed_invoke_model_call(stub: InvokeModelStub) -> None:
    embedder = titan(stub)
    assert isinstance(embedder, Embedder)
    texts = ["Where is my order?", "", "How do I return shoes?"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors[0], stub_vector(texts[0], 256), rtol=1e-5)
    np.testing.assert_allclose(vectors[2], stub_vector(texts[2], 256), rtol=1e-5)
    assert not vectors[1].any()  # an empty text costs no call
    assert len(stub.requests) == 2
    request = stub.requests[0]
    assert request["path"] == f"/model/{MODEL_ID}/invoke"
    assert request["authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert "/eu-west-1/bedrock/aws4_request" in request["authorization"]
    assert {r["body"]["inputText"] for r in stub.requests} == {texts[0], texts[2]}
    assert all(r["body"]["dimensions"] == 256 and r["body"]["normalize"] for r in stub.requests)


def test_settings_build_a_titan_embedder(stub: InvokeModelStub) -> None:
    settings = Settings(
        embedder="titan",
        bedrock_endpoint_url=stub.url,
        aws_region="eu-west-1",
        embedding_dimension=512,
    )
    embedder = build_embedder(settings)
    assert embedder.name == f"bedrock:{MODEL_ID}:512"
    assert embedder.embed(["refund"]).shape == (1, 512)


def test_bedrock_errors_become_clear_embedding_errors(stub: InvokeModelStub) -> None:
    stub.failure = (400, "ValidationException", "Malformed input request")
    with pytest.raises(EmbeddingError, match="ValidationException: Malformed input request"):
        titan(stub).embed(["refund"])


def test_unsupported_dimension_is_refused_before_any_call(stub: InvokeModelStub) -> None:
    with pytest.raises(ValueError, match="256, 512, 1024"):
        titan(stub, dimension=384)
    assert stub.requests == []
