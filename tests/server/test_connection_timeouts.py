"""Slow, partial and idle connections are closed by the server (raw sockets, real uvicorn)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from server.serving import server_options
from tests.loopback import free_port

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

SAFETY_SECONDS = 30
"""How long a test waits for the server to close a socket before declaring it never did."""


@pytest.fixture
def server(server_settings: Settings, services: Services) -> Iterator[tuple[str, int]]:
    server_settings.header_timeout_seconds = 1
    server_settings.keep_alive_seconds = 1
    server_settings.max_body_bytes = 200_000  # above MAX_HEADER_BYTES: bodies are not headers
    port = free_port()
    options = server_options(server_settings, "127.0.0.1", port)
    config = uvicorn.Config(create_app(server_settings, services), log_level="warning", **options)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield "127.0.0.1", port
    running.should_exit = True
    thread.join(10)


def _closed_by_server(sock: socket.socket) -> bool:
    """Read until the server closes the socket; False when it is still open after the wait."""
    sock.settimeout(SAFETY_SECONDS)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_partial_request_line_is_closed(server):
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /v1/hea")
        assert _closed_by_server(sock)


def test_headers_that_never_end_are_closed(server):
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
        time.sleep(0.3)
        sock.sendall(b"X-Slower: 2\r\n")
        assert _closed_by_server(sock)


def test_a_connection_that_sends_nothing_is_closed(server):
    with socket.create_connection(server) as sock:
        assert _closed_by_server(sock)


def test_a_complete_request_is_answered_and_the_idle_connection_then_closed(server):
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(SAFETY_SECONDS)
        first = sock.recv(4096)
        assert first.startswith(b"HTTP/1.1 200"), first[:200]
        assert _closed_by_server(sock)


def test_headers_that_never_stop_growing_get_431(server):
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        try:
            for n in range(200):
                sock.sendall(b"X-Filler-%d: %s\r\n" % (n, b"a" * 1000))
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(SAFETY_SECONDS)
        try:
            while chunk := sock.recv(4096):
                answer += chunk
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]


def test_a_body_as_large_as_allowed_is_not_mistaken_for_headers(server, server_settings):
    body = b'{"channel": "web", "customer_id": "' + b"a" * (server_settings.max_body_bytes - 60)
    body += b'"}'
    request = (
        b"POST /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    ) + body
    with socket.create_connection(server) as sock:
        sock.sendall(request)
        sock.settimeout(SAFETY_SECONDS)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:100]  # read whole; refused for no token
