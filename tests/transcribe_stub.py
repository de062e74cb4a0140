"""A loopback Amazon Transcribe streaming endpoint: HTTP/2 over TLS (hypercorn) speaking the
event-stream protocol.

It checks what a real endpoint checks before streaming — a SigV4 `Authorization`, the
`x-amzn-transcribe-*` headers — then reads the request body
as event-stream frames (botocore's parser verifies each prelude and message CRC), unwraps
each signed frame to its `AudioEvent`, and answers with `TranscriptEvent` frames: a partial
result after the first audio, and the final result once the client ends its stream. The
words it "hears" are scripted; the audio it received is recorded for the test to compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import ssl
import threading
import time
from pathlib import Path
from typing import Any

from amazon_transcribe.eventstream import EventStreamMessageSerializer
from botocore.eventstream import EventStreamBuffer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypercorn.asyncio import serve
from hypercorn.config import Config

from tests.loopback import free_port


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 / localhost and its key, as PEM files."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _event(payload: dict[str, Any]) -> bytes:
    headers = {
        ":message-type": "event",
        ":event-type": "TranscriptEvent",
        ":content-type": "application/json",
    }
    return EventStreamMessageSerializer().serialize(headers, json.dumps(payload).encode())


def _result(text: str, partial: bool) -> dict[str, Any]:
    return {
        "Transcript": {
            "Results": [
                {
                    "ResultId": "r1",
                    "StartTime": 0.0,
                    "EndTime": 1.0,
                    "IsPartial": partial,
                    "Alternatives": [{"Transcript": text, "Items": []}],
                }
            ]
        }
    }


class TranscribeStub:
    """The endpoint, served from a thread on an ephemeral port."""

    def __init__(self, folder: Path, partial: str, final: str) -> None:
        self.partial, self.final = partial, final
        self.cert, key = self_signed(folder)
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.audio = bytearray()
        self.requests: list[dict[str, str]] = []
        self.frames = 0
        self._config = Config()
        self._config.bind = [f"127.0.0.1:{self.port}"]
        self._config.certfile, self._config.keyfile = str(self.cert), str(key)
        self._config.alpn_protocols = ["h2"]
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.versions: list[str] = []

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The ASGI application: one streaming transcription per request."""
        if scope["type"] != "http":
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append(headers)
        self.versions.append(scope["http_version"])
        problem = self._refuse(scope, headers)
        if problem:
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": problem.encode()})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/vnd.amazon.eventstream"),
                    (b"x-amzn-request-id", b"stub-request"),
                ],
            }
        )
        frames = EventStreamBuffer()
        sent_partial = ended = False
        while not ended:
            message = await receive()
            frames.add_data(message.get("body", b""))
            for signed in frames:
                self.frames += 1
                assert ":chunk-signature" in signed.headers and ":date" in signed.headers
                if not signed.payload:  # the empty signed frame ends the audio
                    ended = True
                    continue
                inner = EventStreamBuffer()
                inner.add_data(signed.payload)
                for event in inner:
                    assert event.headers[":event-type"] == "AudioEvent"
                    self.audio += event.payload
                if self.audio and not sent_partial:
                    sent_partial = True
                    body = _event(_result(self.partial, True))
                    await send({"type": "http.response.body", "body": body, "more_body": True})
            if not message.get("more_body", False):
                ended = True
        await send({"type": "http.response.body", "body": _event(_result(self.final, False))})

    @staticmethod
    def _refuse(scope: dict[str, Any], headers: dict[str, str]) -> str:
        if scope["method"] != "POST" or scope["path"] != "/stream-transcription":
            return "unknown operation"
        if not headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
            return "missing SigV4 authorization"
        if headers.get("x-amzn-transcribe-media-encoding") != "pcm":
            return "media encoding must be pcm"
        if not headers.get("x-amzn-transcribe-sample-rate", "").isdigit():
            return "sample rate missing"
        if "x-amz-date" not in headers:
            return "missing x-amz-date"
        return ""

    def _run(self) -> None:
        async def main() -> None:
            self._stop = asyncio.Event()
            self._loop = asyncio.get_running_loop()
            await serve(self.app, self._config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

        # the client may still hold its connection when the server shuts down
        with contextlib.suppress(ssl.SSLError):
            asyncio.run(main())

    def start(self) -> None:
        """Serve until `stop`."""
        import socket

        self._thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the Transcribe stub did not start")

    def stop(self) -> None:
        """Shut the server down."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
