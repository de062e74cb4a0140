"""How uvicorn serves the app: timeouts for idle, slow and silent connections.

uvicorn closes a connection idle between requests (`timeout_keep_alive`) and a WebSocket
whose client stops answering pings (`ws_ping_interval` / `ws_ping_timeout`), but it has no
limit on how long a request's headers may take: a client that sends half a request line
holds the connection forever. `HeaderTimeoutProtocol` adds that limit: a connection must
finish a request's headers within `header_timeout_seconds` of opening (or of the first
byte of a later request), else it is closed; headers past `MAX_HEADER_BYTES` get 431.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

if TYPE_CHECKING:
    from config.settings import Settings

logger = logging.getLogger("tandem.server")

MAX_HEADER_BYTES = 64 * 1024
"""Bytes a request line and its headers may take (uvicorn's h11 default is 16 KiB)."""

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n"
    b"connection: close\r\ncontent-length: 31\r\n\r\nRequest headers are too large.\n"
)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on receiving each request's headers."""

    header_timeout: float = 10.0
    """Seconds a request's headers may take (`with_header_timeout` sets it per server)."""

    _header_timer: asyncio.TimerHandle | None = None
    _header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock on the first request's headers."""
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._cancel_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse `data`; refuse headers still incomplete after `MAX_HEADER_BYTES`."""
        super().data_received(data)
        if self._header_timer is None or self.transport.is_closing():
            return  # headers complete (a body in the same bytes is not counted), or closed
        self._header_bytes += len(data)
        if self._header_bytes > MAX_HEADER_BYTES:
            self._cancel_header_timer()
            self.transport.write(_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        """A request begins: its headers must be complete before the deadline."""
        super().on_message_begin()
        if self._header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        """The headers arrived in time: the request runs without the deadline."""
        self._cancel_header_timer()
        super().on_headers_complete()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_bytes = 0
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            logger.info("closing a connection whose request headers took too long")
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutProtocol]:
    """A `HeaderTimeoutProtocol` class whose headers deadline is `seconds`."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})


def server_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config`: address and every timeout."""
    return {
        "host": host,
        "port": port,
        "http": with_header_timeout(settings.header_timeout_seconds),
        "timeout_keep_alive": settings.keep_alive_seconds,
        "ws_ping_interval": settings.ws_ping_interval_seconds,
        "ws_ping_timeout": settings.ws_ping_timeout_seconds,
    }
