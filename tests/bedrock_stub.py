"""A loopback Bedrock runtime speaking Converse / ConverseStream with scripted answers.

A real HTTP server (Starlette under uvicorn, in a thread) on 127.0.0.1, so the real
`ChatBedrockConverse` client, its request signing, retries and event-stream parsing all
run unchanged. Answers are scripted (text, or a tool call), and the server can be told to
throttle (HTTP 429 `ThrottlingException`) or fail. Every request is recorded.
"""

from __future__ import annotations

import json
import re
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.loopback import free_port

EVENT_STREAM = "application/vnd.amazon.eventstream"
_STRING_HEADER = 7
_PIECES = re.compile(r"\S+\s*|\s+")


def encode_event(headers: dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: prelude with its CRC32, string headers, payload, CRC32.

    Neither botocore (which only decodes) nor an installed package encodes these frames.
    """
    header_bytes = b""
    for name, value in headers.items():
        raw_name, raw_value = name.encode(), value.encode()
        header_bytes += struct.pack("!B", len(raw_name)) + raw_name
        header_bytes += struct.pack("!BH", _STRING_HEADER, len(raw_value)) + raw_value
    total = 12 + len(header_bytes) + len(payload) + 4
    prelude = struct.pack("!II", total, len(header_bytes))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    message = prelude + header_bytes + payload
    return message + struct.pack("!I", zlib.crc32(message))


def stream_event(event_type: str, body: dict[str, Any]) -> bytes:
    """A ConverseStream event frame (`messageStart`, `contentBlockDelta`, ...)."""
    headers = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encode_event(headers, json.dumps(body).encode())


@dataclass
class Answer:
    """One scripted model answer: text, or a call of `tool` with `tool_input`."""

    text: str = ""
    tool: str | None = None
    tool_input: dict[str, Any] = field(default_factory=dict)
    tool_use_id: str = field(default_factory=lambda: f"tooluse_{uuid.uuid4().hex[:12]}")

    @property
    def stop_reason(self) -> str:
        """Why the model stopped: it wants a tool, or it finished its turn."""
        return "tool_use" if self.tool else "end_turn"

    def content(self) -> list[dict[str, Any]]:
        """The Converse content blocks of this answer."""
        blocks: list[dict[str, Any]] = []
        if self.text:
            blocks.append({"text": self.text})
        if self.tool:
            blocks.append(
                {
                    "toolUse": {
                        "toolUseId": self.tool_use_id,
                        "name": self.tool,
                        "input": self.tool_input,
                    }
                }
            )
        return blocks

    def events(self) -> Iterator[bytes]:
        """The ConverseStream frames of this answer: text word by word, tool input in parts."""
        yield stream_event("messageStart", {"role": "assistant"})
        index = 0
        if self.text:
            for piece in _PIECES.findall(self.text):
                delta = {"delta": {"text": piece}, "contentBlockIndex": index}
                yield stream_event("contentBlockDelta", delta)
            yield stream_event("contentBlockStop", {"contentBlockIndex": index})
            index += 1
        if self.tool:
            start = {"toolUse": {"toolUseId": self.tool_use_id, "name": self.tool}}
            yield stream_event("contentBlockStart", {"start": start, "contentBlockIndex": index})
            arguments = json.dumps(self.tool_input)
            middle = len(arguments) // 2
            for part in (arguments[:middle], arguments[middle:]):
                delta = {"delta": {"toolUse": {"input": part}}, "contentBlockIndex": index}
                yield stream_event("contentBlockDelta", delta)
            yield stream_event("contentBlockStop", {"contentBlockIndex": index})
        yield stream_event("messageStop", {"stopReason": self.stop_reason})
        yield stream_event("metadata", {"usage": USAGE, "metrics": {"latencyMs": 1}})


USAGE = {"inputTokens": 100, "outputTokens": 20, "totalTokens": 120}


@dataclass
class RecordedRequest:
    """A request the stub received."""

    path: str
    raw_path: str
    model_id: str
    streaming: bool
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        """The decoded request body."""
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class BedrockStub:
    """The scripted Bedrock runtime; `url` is its endpoint."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.requests: list[RecordedRequest] = []
        self.failure: tuple[int, str, str] | None = None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        app = Starlette(
            routes=[
                Route("/model/{model_id}/converse", self._converse, methods=["POST"]),
                Route("/model/{model_id}/converse-stream", self._converse, methods=["POST"]),
            ]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    # scripting ---------------------------------------------------------------------

    def reset(self) -> None:
        """Forget answers, requests and failure modes."""
        with self._lock:
            self.answers.clear()
            self.requests.clear()
            self.failure = None

    def script(self, *answers: Answer | str) -> None:
        """Queue answers, in order (a string is a text answer)."""
        with self._lock:
            self.answers.extend(a if isinstance(a, Answer) else Answer(text=a) for a in answers)

    def throttle(self) -> None:
        """Answer every request with HTTP 429 ThrottlingException."""
        self.fail(429, "ThrottlingException", "Too many requests, please wait before trying again.")

    def fail(self, status: int, code: str, message: str) -> None:
        """Answer every request with an AWS error."""
        with self._lock:
            self.failure = (status, code, message)

    # serving -----------------------------------------------------------------------

    def start(self) -> None:
        """Serve in a background thread until `stop`."""
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Bedrock stub did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Shut the server down."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    async def _converse(self, request: Request) -> Response:
        streaming = request.url.path.endswith("/converse-stream")
        recorded = RecordedRequest(
            path=request.url.path,
            raw_path=request.scope["raw_path"].decode(),
            model_id=request.path_params["model_id"],
            streaming=streaming,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
        )
        with self._lock:
            self.requests.append(recorded)
            failure = self.failure
            answer = self.answers.pop(0) if self.answers and not failure else None
        if failure:
            status, code, message = failure
            return JSONResponse(
                {"message": message}, status_code=status, headers={"x-amzn-ErrorType": code}
            )
        if answer is None:
            return JSONResponse(
                {"message": "The stub has no scripted answer left."},
                status_code=400,
                headers={"x-amzn-ErrorType": "ValidationException"},
            )
        if streaming:
            return StreamingResponse(answer.events(), media_type=EVENT_STREAM)
        return JSONResponse(
            {
                "output": {"message": {"role": "assistant", "content": answer.content()}},
                "stopReason": answer.stop_reason,
                "usage": USAGE,
                "metrics": {"latencyMs": 1},
            }
        )
