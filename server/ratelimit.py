"""Per-principal rate limiting with a token bucket (in process)."""

from __future__ import annotations

import math
import threading
import time


class TokenBucketLimiter:
    """Allow `per_minute` requests per key, refilled continuously, with that much burst."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        """Take one token for `key`; return 0 if allowed, else seconds until the next token."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return max(1.0, math.ceil((1.0 - tokens) / self.rate))
