"""A loopback Amazon Comprehend endpoint speaking its JSON protocol with scripted results.

A real HTTP server (stdlib `ThreadingHTTPServer`, in a thread) on 127.0.0.1, so the real
boto3 client, its SigV4 signing, retries and error parsing run unchanged. It serves
``X-Amz-Target: Comprehend_20171127.DetectSentiment`` and ``.DetectPiiEntities``: each
answer is taken from a queue of scripted results (a response body, or an error code with
its HTTP status, e.g. ``ThrottlingException`` / 400). Every request is recorded.

When nothing is scripted for ``DetectPiiEntities`` and `known_pii` names values (text →
Comprehend entity type), the stub answers from the request itself, as Comprehend does:
one entity, with its character offsets, for every occurrence of each known value in the
request's ``Text``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import serving

TARGET_PREFIX = "Comprehend_20171127."


@dataclass
class ScriptedError:
    """An error answer: the AWS error code and the HTTP status it comes with."""

    code: str
    status: int = 400
    message: str = "scripted error"


@dataclass
class RecordedRequest:
    """One request the stub received."""

    operation: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class ComprehendStub:
    """Scripted answers per operation, and the requests received."""

    url: str = ""
    answers: dict[str, deque[dict[str, Any] | ScriptedError]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    known_pii: dict[str, str] = field(default_factory=dict)

    def script(self, operation: str, *answers: dict[str, Any] | ScriptedError) -> None:
        """Queue answers for `operation` (``DetectSentiment`` / ``DetectPiiEntities``)."""
        self.answers.setdefault(operation, deque()).extend(answers)

    def reset(self) -> None:
        """Forget queued answers and recorded requests."""
        self.answers.clear()
        self.requests.clear()
        self.known_pii.clear()

    def answer(self, operation: str, body: dict[str, Any]) -> dict[str, Any] | ScriptedError:
        queue = self.answers.get(operation)
        if not queue and operation == "DetectPiiEntities" and self.known_pii:
            return pii_entities(str(body.get("Text", "")), self.known_pii)
        if not queue:
            return ScriptedError(
                "InternalServerException", 500, f"nothing scripted for {operation}"
            )
        return queue.popleft()


def pii_entities(text: str, known: dict[str, str], score: float = 0.99) -> dict[str, Any]:
    """A DetectPiiEntities answer: every occurrence in `text` of each `known` value."""
    entities = []
    for value, kind in known.items():
        start = text.find(value)
        while start >= 0:
            end = start + len(value)
            entities.append({"Type": kind, "Score": score, "BeginOffset": start, "EndOffset": end})
            start = text.find(value, end)
    return {"Entities": sorted(entities, key=lambda entity: entity["BeginOffset"])}


def _handler(stub: ComprehendStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            target = self.headers.get("X-Amz-Target", "")
            if not target.startswith(TARGET_PREFIX):
                self._send(400, {"__type": "UnknownOperationException", "message": target})
                return
            operation = target.removeprefix(TARGET_PREFIX)
            stub.requests.append(RecordedRequest(operation, body, dict(self.headers.items())))
            answer = stub.answer(operation, body)
            if isinstance(answer, ScriptedError):
                self._send(answer.status, {"__type": answer.code, "message": answer.message})
            else:
                self._send(200, answer)

    return Handler


@contextmanager
def running_stub() -> Iterator[ComprehendStub]:
    """Run a `ComprehendStub` on a free 127.0.0.1 port until the block ends."""
    stub = ComprehendStub()
    with serving(_handler(stub)) as url:
        stub.url = url
        yield stub
