"""Per-sender rate limit for inbound channel messages (a sliding window in memory)."""

from __future__ import annotations

import time
from collections import deque


class SenderLimit:
    """At most `per_hour` messages per (channel, sender) in any hour; 0 means no limit."""

    def __init__(self, per_hour: int, max_senders: int = 100_000) -> None:
        self.per_hour = per_hour
        self.max_senders = max_senders
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def allow(self, channel: str, sender: str, now: float | None = None) -> bool:
        """Count a message from the sender; False when it is over the limit."""
        if self.per_hour <= 0:
            return True
        now = time.monotonic() if now is None else now
        key = (channel, sender.lower())
        window = self._seen.get(key)
        if window is None:
            if len(self._seen) >= self.max_senders:
                self._seen.pop(next(iter(self._seen)))
            window = self._seen[key] = deque()
        while window and window[0] <= now - 3600:
            window.popleft()
        if len(window) >= self.per_hour:
            return False
        window.append(now)
        return True
