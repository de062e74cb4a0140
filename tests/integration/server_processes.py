"""`tandem serve` subprocesses on loopback, and an SSE reader for their streams."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from config.settings import Settings
from server.auth.local_issuer import LocalIssuer, issuer_from_settings
from tests.loopback import free_port, wait_until_ready
from tools.intent import IntentClassifier

Event = dict[str, Any]


class ServerProcess:
    """One `tandem serve` on a free 127.0.0.1 port (one worker unless told), launched now."""

    def __init__(self, name: str, env: dict[str, str], folder: Path, workers: int = 1) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        tandem = Path(sys.executable).with_name("tandem")
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    *(str(tandem), "serve", "--host", "127.0.0.1", "--port", str(self.port)),
                    *("--workers", str(workers)),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 240) -> ServerProcess:
        """Block until the server answers its liveness probe (imports are slow on a busy box)."""
        wait_until_ready(f"{self.url}/healthz", self.proc, self.log, self.name, timeout=timeout)
        return self

    def kill(self) -> None:
        """SIGKILL: the process dies mid-whatever, releasing nothing."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def sse_events(lines: Iterator[str]) -> Iterator[Event]:
    """Parse SSE lines into events carrying their `id`."""
    current: Event = {}
    for line in lines:
        if line.startswith("id:"):
            current["id"] = int(line[3:].strip())
        elif line.startswith("data:"):
            current.update(json.loads(line[5:].strip()))
        elif line == "" and current:
            yield current
            current = {}


def read_turn(response: httpx.Response) -> list[Event]:
    """The events of a streamed turn, up to its `done` or `error`."""
    events: list[Event] = []
    for event in sse_events(response.iter_lines()):
        events.append(event)
        if event.get("type") in ("done", "error"):
            break
    return events


class StreamWatcher:
    """Reads an SSE stream in a thread; `wait_for` blocks until a matching event arrives."""

    def __init__(self, client: httpx.Client, url: str, headers: dict[str, str]) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.seen: list[Event] = []
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(client, url, headers), daemon=True)
        self._thread.start()
        if not self._connected.wait(timeout=30):
            raise AssertionError(f"stream {url} did not open")

    def _read(self, client: httpx.Client, url: str, headers: dict[str, str]) -> None:
        try:
            with client.stream("GET", url, headers=headers) as response:
                response.raise_for_status()
                self._connected.set()
                for event in sse_events(response.iter_lines()):
                    self.events.put(event)
                    if self._stop.is_set():
                        return
        except (httpx.HTTPError, RuntimeError) as error:  # the client closed under us
            self.events.put({"type": "_closed", "error": repr(error)})

    def wait_for(self, match: Callable[[Event], bool], timeout: float = 30) -> Event:
        """The first event (from now on) that `match` accepts."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(event)
            if match(event):
                return event
        raise AssertionError(f"no matching event within {timeout} s; saw {self.seen}")

    def close(self) -> None:
        """Stop reading after the next event (the client's close ends the request)."""
        self._stop.set()


def seed_data_dir(shared_backends: dict[str, Any], data_dir: Path) -> LocalIssuer:
    """Give servers about to start on `data_dir` this run's trained intent classifier (so
    they start without training) and its local issuer key (so they all verify one key)."""
    classifier: IntentClassifier = shared_backends["classifier"]
    classifier.save(IntentClassifier.cache_path(shared_backends["catalogue"], data_dir / "cache"))
    issuer = issuer_from_settings(Settings(data_dir=data_dir, auth_mode="local"))
    issuer.issue("warm-up", "agent")
    return issuer
