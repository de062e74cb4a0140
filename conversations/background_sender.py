"""A worker thread that sends queued items in batches, off the request path.

The base of the publishers that announce what happens to other services (SNS queue events,
EventBridge domain events): `enqueue` never blocks the caller (a full backlog drops the item
and counts it), the worker hands up to `batch_size` queued items at a time to `_send`, and
`close` sends what is queued before stopping.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

logger = logging.getLogger("tandem.server.events")

_STOP = object()


class BackgroundSender:
    """Sends queued items from a daemon thread; subclasses implement `_send`."""

    def __init__(self, name: str, capacity: int = 10_000, batch_size: int = 1) -> None:
        self.published = 0
        self.failed = 0
        self.batch_size = batch_size
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=capacity)
        self._worker = threading.Thread(target=self._run, name=name, daemon=True)
        self._worker.start()

    def enqueue(self, item: Any, label: str) -> None:
        """Queue `item`; when the backlog is full, drop it (logged with `label`)."""
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.failed += 1
            logger.warning("event dropped (publisher backlog full): %s", label)

    def _send(self, batch: list[Any]) -> None:
        """Send one batch, counting `published` and `failed`; must not raise."""
        raise NotImplementedError

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < self.batch_size:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            self._send(batch)

    def close(self, timeout: float = 10) -> None:
        """Send what is queued, then stop the worker."""
        self._queue.put(_STOP)
        self._worker.join(timeout)
