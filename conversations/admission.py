"""Admission control: a customer's turn starts when the server has room to run it.

The customer's message is taken and echoed at once (the stream's first event); the graph
work behind it starts when the gate admits the turn. The gate watches the event loop's
lag, how late a timer fires, which rises as soon as the process has more ready work than
its CPU can do. While the lag stays above the target, the number of turns allowed to run
at once shrinks multiplicatively; while turns wait and the lag is low, it grows by one
per sample (additive increase, multiplicative decrease, as in TCP congestion control).
Waiting turns start in arrival order.

Lag alone cannot tell a saturated process from a busy machine: when other processes take
the CPU, timers fire late while this process sits idle. So each sample also measures the
CPU this process used over the interval (`time.process_time`, every thread) and the CPU the
whole machine left idle (`/proc/stat`). While turns wait, the process leaves part of its
core unused and the machine has at least half a core idle, the limit grows by a quarter per
sample: a core never idles while turns wait. Otherwise lag shrinks the limit as before, so
on a machine other work saturates, new requests stay responsive.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

DECREASE = 0.9
"""Factor applied to the limit for each sample whose smoothed lag is above the target."""

SMOOTHING = 0.3
"""Weight of the newest lag sample in the moving average."""

IDLE_INCREASE = 1.25
"""Factor applied to the limit per sample while turns wait and the process has CPU to spare."""

BUSY_SHARE = 0.85
"""Share of one core (CPU seconds per second) at or above which the process counts as busy."""

IDLE_CORES = 0.5
"""Idle CPU of the machine (cores, averaged over a sample) from which a core is to spare."""

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def machine_idle_seconds() -> float:
    """CPU seconds all the machine's cores have spent idle since boot (0.0 off Linux)."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = stat.readline().split()
    except OSError:
        return 0.0
    return (int(fields[4]) + int(fields[5])) / _TICKS  # idle + iowait


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
    cpu_share: float = 0.0
    """CPU seconds the process used per second over the last sample."""
    idle_cores: float = 0.0
    """Cores the machine left idle, on average, over the last sample."""
    cpu_clock: Callable[[], float] = time.process_time
    """The process's CPU clock (all threads), read once per sample."""
    idle_clock: Callable[[], float] = machine_idle_seconds
    """The machine's idle CPU seconds (all cores), read once per sample."""
    _waiting: deque[asyncio.Future[None]] = field(default_factory=deque)

    @property
    def enabled(self) -> bool:
        """Whether the gate limits anything (a zero target admits every turn)."""
        return self.target_lag > 0

    @property
    def waiting(self) -> int:
        """Turns waiting to start."""
        return sum(1 for future in self._waiting if not future.done())

    @property
    def saturated(self) -> bool:
        """Whether the process has more work than CPU: turns wait, or the loop runs late."""
        if not self.enabled:
            return False
        return self.lag > self.target_lag or any(not f.done() for f in self._waiting)

    def stats(self) -> dict[str, float | int]:
        """What operators watch: turns running and waiting, the limit, the loop's lag."""
        return {
            "running": self.running,
            "waiting": self.waiting,
            "limit": int(self.limit) if self.enabled else 0,
            "loop_lag_ms": round(self.lag * 1000, 2),
            "cpu_share": round(self.cpu_share, 2),
            "idle_cores": round(self.idle_cores, 2),
        }

    def has_room(self) -> bool:
        """Whether a turn arriving now would start at once."""
        return not self.enabled or (self.running < int(self.limit) and not self.waiting)

    def observe(self, late: float, cpu_share: float = 1.0, idle_cores: float = 0.0) -> None:
        """Take one sample and adjust the limit.

        `late` is how many seconds a timer fired late, `cpu_share` the CPU seconds per second
        this process used and `idle_cores` the cores the machine left idle meanwhile.
        """
        self.lag += SMOOTHING * (late - self.lag)
        self.cpu_share, self.idle_cores = cpu_share, idle_cores
        full = bool(self.waiting) and self.running >= int(self.limit)
        if full and cpu_share < BUSY_SHARE and idle_cores >= IDLE_CORES:
            # Turns wait while a core idles: the lag comes from elsewhere, not from them.
            grown = max(self.limit + 1, self.limit * IDLE_INCREASE)
            self.limit = min(float(self.maximum), grown)
        elif self.lag > self.target_lag:
            self.limit = max(float(self.minimum), self.limit * DECREASE)
        elif full:
            self.limit = min(float(self.maximum), self.limit + 1)
        self._admit()

    async def watch(self) -> None:
        """Sample the loop's lag and the CPU used and left idle every `interval`."""
        if not self.enabled:
            return
        loop = asyncio.get_running_loop()
        while True:
            started, cpu, idle = loop.time(), self.cpu_clock(), self.idle_clock()
            await asyncio.sleep(self.interval)
            elapsed = loop.time() - started
            if elapsed <= 0:
                continue
            share = (self.cpu_clock() - cpu) / elapsed
            idle_cores = (self.idle_clock() - idle) / elapsed
            self.observe(max(0.0, elapsed - self.interval), share, idle_cores)

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
