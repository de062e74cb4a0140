"""Crash injection for crash tests: a hub whose process kills itself at a chosen event.

`fault_kill_at = "before:N"` or `"after:N"` (settings) counts the conversation events the
process publishes from its first customer message on (what it publishes earlier, such as
the recovery of turns an earlier crash interrupted, is not counted) and sends itself
SIGKILL just before or just after the Nth, so a test can stop a server at a precise point
of a turn (before, during or after a tool; mid-stream) and check what a restart makes of
it. Never set in production.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from conversations.hub import EventHub
from conversations.store import ServerStore


class CrashingHub(EventHub):
    """An `EventHub` that SIGKILLs its own process around its Nth published event."""

    def __init__(self, store: ServerStore, when: str, nth: int, cache_bytes: int = 0) -> None:
        super().__init__(store, cache_bytes)
        self.when = when
        self.nth = nth
        self.published = 0

    async def publish(self, conversation_id: str, event: dict[str, Any]) -> int:
        """Publish, dying just before or after the chosen event."""
        if self.published or event["type"] == "customer_message":
            self.published += 1
        if self.published == self.nth and self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        seq = await super().publish(conversation_id, event)
        if self.published == self.nth and self.when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return seq


def event_hub(store: ServerStore, fault_kill_at: str, cache_bytes: int = 0) -> EventHub:
    """The hub the settings ask for: a plain one unless a crash is to be injected."""
    if not fault_kill_at:
        return EventHub(store, cache_bytes)
    when, nth = fault_kill_at.split(":")
    return CrashingHub(store, when, int(nth), cache_bytes)
