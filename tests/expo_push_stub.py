"""A loopback server speaking Expo's push API: `POST /--/api/v2/push/send`.

A real HTTP server (stdlib `ThreadingHTTPServer`, in a thread) on 127.0.0.1. It takes a
JSON list of messages and answers `{"data": [ticket, ...]}` with one ticket per message,
as Expo does: `{"status": "ok", "id": ...}`, or for a token listed in `unregistered`
`{"status": "error", "message": ..., "details": {"error": "DeviceNotRegistered"}}`.
Every request body and its headers are recorded.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import serving

PATH = "/--/api/v2/push/send"


@dataclass
class ExpoPushStub:
    """The messages received, and the tokens to report as no longer registered."""

    url: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    unregistered: set[str] = field(default_factory=set)
    received: threading.Condition = field(default_factory=threading.Condition)

    def ticket(self, message: dict[str, Any]) -> dict[str, Any]:
        """Expo's answer to one message."""
        if message.get("to") in self.unregistered:
            return {
                "status": "error",
                "message": f"{message['to']} is not a registered push notification recipient",
                "details": {"error": "DeviceNotRegistered"},
            }
        return {"status": "ok", "id": str(uuid.uuid4())}

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The messages once at least `count` arrived (fails after `timeout`)."""
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout)
        assert len(self.messages) >= count, f"expected {count} push messages: {self.messages}"
        return list(self.messages)


def _handler(stub: ExpoPushStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path != PATH:
                self._answer(404, {"errors": [{"code": "NOT_FOUND", "message": self.path}]})
                return
            messages = json.loads(body)
            if not isinstance(messages, list):
                messages = [messages]
            tickets = [stub.ticket(message) for message in messages]
            with stub.received:
                stub.messages.extend(messages)
                stub.headers.append(dict(self.headers))
                stub.received.notify_all()
            self._answer(200, {"data": tickets})

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def expo_push_stub() -> Iterator[ExpoPushStub]:
    """Serve an `ExpoPushStub` on a free loopback port for the block."""
    stub = ExpoPushStub()
    with serving(_handler(stub)) as url:
        stub.url = f"{url}{PATH}"
        yield stub
