"""How uvicorn serves the app: timeouts for idle, slow and silent connections.

uvicorn closes a connection idle between requests (`timeout_keep_alive`) and a WebSocket
whose client stops answering pings (`ws_ping_interval` / `ws_ping_timeout`), but it has no
limit on how long a request's headers may take: a client that sends half a request line
holds the connection forever. `HeaderTimeoutProtocol` adds that limit: a connection must
finish a request's headers within `header_timeout_seconds` of opening (or of the first
byte of a later request), else it is closed; headers past `MAX_HEADER_BYTES` get 431.

`tandem serve --workers N` runs N worker processes on one listening socket (uvicorn's
supervisor, which also restarts a worker that dies). They share the data folder: the
SQLite checkpoints and server store, a conversation lease in SQLite (one turn at a time
per conversation, whichever worker took the message) and the store's change counter, by
which each worker's streams pick up the events another worker persisted, so a stream
resumed with `Last-Event-ID` continues on whichever worker answers. Only one worker runs
the inbound SMTP server on a fixed port (the first to lock `smtp.lock` in the data folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

if TYPE_CHECKING:
    from fastapi import FastAPI

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


class SettingsHeaderTimeoutProtocol(HeaderTimeoutProtocol):
    """`HeaderTimeoutProtocol` taking its deadline from the worker's settings.

    A worker process gets uvicorn's options by pickling, which a class made at run time
    (`with_header_timeout`) does not survive; this one is found by name.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from config.settings import get_settings

        self.header_timeout = get_settings().header_timeout_seconds


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


def cpu_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers_unsupported(settings: Settings) -> str:
    """Why several worker processes cannot share these backends ("" when they can)."""
    if settings.checkpointer == "memory":
        return "checkpoints are kept in memory (TANDEM_CHECKPOINTER=memory)"
    if settings.lease_backend == "local":
        return "the conversation lease is per process (TANDEM_LEASE_BACKEND=local)"
    if settings.server_store_backend != "sqlite" and not settings.redis_url:
        return "live events cross processes only through SQLite or Redis (TANDEM_REDIS_URL)"
    return ""


def worker_count(settings: Settings, requested: int | None) -> int:
    """Workers to start: `requested`, else `serve_workers`, else one per core if supported."""
    wanted = requested or settings.serve_workers
    if wanted:
        return wanted
    return 1 if workers_unsupported(settings) else cpu_cores()


_smtp_lock: IO[bytes] | None = None
"""The open lock file of the worker that runs the inbound SMTP server (held until exit)."""


def _takes_smtp(settings: Settings) -> bool:
    """Whether this worker runs the inbound SMTP server on its fixed port (one worker does)."""
    global _smtp_lock
    if _smtp_lock is not None:
        return True
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    handle = (settings.data_dir / "smtp.lock").open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _smtp_lock = handle
    return True


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory), on the environment's settings."""
    from config.settings import get_settings
    from server.app import create_app
    from server.logs import configure_json_logging

    configure_json_logging()
    settings = get_settings()
    if settings.email_enabled and settings.email_smtp_port and not _takes_smtp(settings):
        settings = settings.model_copy(update={"email_smtp_port": None})
    return create_app(settings)


def run_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve with `workers` processes on one socket until stopped (uvicorn's supervisor)."""
    import uvicorn

    options = server_options(settings, host, port)
    options["http"] = SettingsHeaderTimeoutProtocol
    with _shared_metrics_folder():
        uvicorn.run(
            "server.serving:worker_app", factory=True, workers=workers, log_config=None, **options
        )


@contextlib.contextmanager
def _shared_metrics_folder() -> Iterator[None]:
    """A fresh `PROMETHEUS_MULTIPROC_DIR` for the workers, unless one is given; removed after.

    Each worker writes its instruments' values there, so `/metrics` on any worker answers
    for all of them (prometheus-client's multiprocess mode).
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="tandem-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(folder, ignore_errors=True)
