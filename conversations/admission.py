"""Admission control: a customer's turn starts when the server has room to run it.

The customer's message is taken and echoed at once (the stream's first event); the graph
work behind it starts when the gate admits the turn. The gate watches the event loop's
lag, how late a timer fires, which rises as soon as the process has more ready work than
its CPU can do. While the lag stays above the target, the number of turns allowed to run
at once shrinks multiplicatively; while turns wait and the lag is low, it grows by one
per sample (additive increase, multiplicative decrease, as in TCP congestion control).
Waiting turns start in arrival order.

Turns of a real model spend seconds waiting on the network and barely load the loop, so
the limit grows to as many as need to run. When turns are CPU-heavy it settles where the
server stays responsive: new requests, agents' actions and health checks are not queued
behind hundreds of half-finished streams, and each admitted reply streams at full speed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

DECREASE = 0.9
"""Factor applied to the limit for each sample whose smoothed lag is above the target."""

SMOOTHING = 0.3
"""Weight of the newest lag sample in the moving average."""


@dataclass
class TurnGate:
    """Limits the turns running at once, adapting the limit to the event loop's lag."""

    target_lag: float
    """Seconds of loop lag above which fewer turns are let in (0: admit every turn)."""
    limit: float = 32.0
    minimum: int = 8
    maximum: int = 100_000
    interval: float = 0.05
    """Seconds between lag samples."""
    running: int = 0
    lag: float = 0.0
    """Smoothed loop lag, in seconds."""
    _waiting: deque[asyncio.Future[None]] = field(default_factory=deque)

    @property
    def enabled(self) -> bool:
        """Whether the gate limits anything (a zero target admits every turn)."""
        return self.target_lag > 0

    @property
    def waiting(self) -> int:
        """Turns waiting to start."""
        return sum(1 for future in self._waiting if not future.done())

    def stats(self) -> dict[str, float | int]:
        """What operators watch: turns running and waiting, the limit, the loop's lag."""
        return {
            "running": self.running,
            "waiting": self.waiting,
            "limit": int(self.limit) if self.enabled else 0,
            "loop_lag_ms": round(self.lag * 1000, 2),
        }

    def has_room(self) -> bool:
        """Whether a turn arriving now would start at once."""
        return not self.enabled or (self.running < int(self.limit) and not self.waiting)

    def observe(self, late: float) -> None:
        """Take one lag sample (seconds a timer fired late) and adjust the limit."""
        self.lag += SMOOTHING * (late - self.lag)
        if self.lag > self.target_lag:
            self.limit = max(float(self.minimum), self.limit * DECREASE)
        elif self.waiting and self.running >= int(self.limit):
            self.limit = min(float(self.maximum), self.limit + 1)
        self._admit()

    async def watch(self) -> None:
        """Sample the loop's lag every `interval` for as long as the server runs."""
        if not self.enabled:
            return
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.interval)
            self.observe(max(0.0, loop.time() - started - self.interval))

    def _admit(self) -> None:
        while self._waiting and self.running < int(self.limit):
            future = self._waiting.popleft()
            if not future.done():
                self.running += 1
                future.set_result(None)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one running-turn slot, waiting in line for it when the server is full."""
        if not self.enabled:
            yield
            return
        if self.has_room():
            self.running += 1
        else:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(future)
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self.running -= 1  # admitted just as the waiter was cancelled
                    self._admit()
                raise
        try:
            yield
        finally:
            self.running -= 1
            self._admit()
