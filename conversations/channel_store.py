"""Records the channels keep beside conversations: seen messages, thread keys, threads.

A `ChannelStore` makes channel work idempotent and threaded: `claim` records a provider
message id (or an outbound delivery) exactly once, so a provider's second delivery never
starts a second turn; thread keys (e.g. email Message-IDs) map to the conversation they
belong to; a thread is the conversation's address and threading state on its channel,
with the cursor of the last event delivered there. `SqliteChannelStore` is the embedded
default; `DynamoDBChannelStore` uses conditional puts for the same guarantees.
"""

from __future__ import annotations

from typing import Any, Protocol


class ChannelStore(Protocol):
    """Seen messages, thread keys and threads; safe to share between threads."""

    def close(self) -> None:
        """Release connections."""

    def claim(self, channel: str, key: str) -> bool:
        """Record `key` once: True the first time, False for any later claim."""

    def release(self, channel: str, key: str) -> None:
        """Forget a claim (its work failed before it took effect; a retry may claim again)."""

    def link(self, channel: str, keys: list[str], conversation_id: str) -> None:
        """Map thread keys to a conversation."""

    def find(self, channel: str, keys: list[str]) -> str | None:
        """The conversation one of `keys` maps to, or None."""

    def save_thread(self, thread: dict[str, Any]) -> None:
        """Create or replace a conversation's thread (conversation_id, channel, address, state)."""

    def get_thread(self, conversation_id: str) -> dict[str, Any] | None:
        """A conversation's thread with its `delivered_seq`, or None."""

    def latest_thread(self, channel: str, address: str) -> dict[str, Any] | None:
        """The address's most recently active thread on the channel, or None."""

    def set_delivered(self, conversation_id: str, seq: int) -> None:
        """Remember that events up to `seq` were delivered (never moves backwards)."""

    def forget(self, conversation_id: str) -> dict[str, Any] | None:
        """Erase a conversation's thread and what points at it; return the thread it had."""
