"""The server's own records: conversations, their event log and the handoff queue.

Conversation *state* lives in the graph's checkpoints; a `ServerStore` keeps what the
HTTP layer needs around it: who owns a conversation, the numbered events a client can
resume from, and the handoff queue with SLA timestamps (claimed, first response,
resolution). Claims are conditional writes, so of two agents claiming at once exactly one
wins. Two records make turns crash-safe: the highest event number a process reserved (so a
restarted process never numbers an event twice) and a record per running turn, closed once
its `done` or `error` is published (so a turn a crash interrupted is found and finished).
`open_server_store` picks SQLite (embedded) or DynamoDB from the settings.
"""

from __future__ import annotations

from typing import Any, Protocol

QUEUE_OPEN = ("waiting", "claimed")
"""Queue statuses of a conversation a human still has to deal with."""

PRIORITIES = ("low", "normal", "high", "urgent")
"""Priorities an agent can give a queue entry (entries start `normal`)."""


class ServerStore(Protocol):
    """Conversations, their events and the handoff queue; safe to share between threads."""

    def close(self) -> None:
        """Release connections."""

    def create_conversation(
        self, conversation_id: str, customer_id: str | None, channel: str
    ) -> dict[str, Any]:
        """Record a new conversation and return it."""

    def get_conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """Return a conversation's record, or None."""

    def list_conversations(
        self, customer_id: str | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        """Conversations newest first; only `customer_id`'s when given."""

    def touch(self, conversation_id: str) -> None:
        """Mark a conversation as updated now."""

    def assign_customer(self, conversation_id: str, customer_id: str) -> bool:
        """Give a guest conversation to the customer it identified; False if it had one."""

    def append_event(self, conversation_id: str, seq: int, event: dict[str, Any]) -> None:
        """Persist an event under its sequence number."""

    def events_after(
        self,
        conversation_id: str,
        after: int,
        types: tuple[str, ...] | None = None,
        limit: int = 1000,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Events with a sequence number above `after`, oldest first."""

    def last_seq(self, conversation_id: str) -> int:
        """The highest event sequence number of a conversation (0 when none)."""

    def reserved_seq(self, conversation_id: str) -> int:
        """The highest sequence number a process reserved for the conversation (0 when none)."""

    def reserve_seq(self, conversation_id: str, upto: int) -> None:
        """Record that numbers up to `upto` may be in use (never lowers the reservation)."""

    def open_turn(self, conversation_id: str, record: dict[str, Any]) -> None:
        """Record that a turn started on the conversation (what recovery needs to finish it)."""

    def close_turn(self, conversation_id: str) -> None:
        """Forget the conversation's turn record: its `done` or `error` was published."""

    def open_turns(self) -> list[dict[str, Any]]:
        """Every turn record not closed yet, oldest first (each with its `conversation_id`)."""

    def open_turn_record(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's turn record if its turn is not closed yet, else None."""

    def upsert_handoff(
        self, conversation_id: str, payload: dict[str, Any], customer_id: str | None
    ) -> dict[str, Any]:
        """Open (or refresh) the queue entry of a conversation from a handoff payload."""

    def get_handoff(self, conversation_id: str) -> dict[str, Any] | None:
        """The queue entry of a conversation, or None.

        Besides the handoff payload and the SLA stamps it carries `tags` (a JSON list, as
        text; None until set), `priority` (None: normal) and `order_id`.
        """

    def list_handoffs(
        self, statuses: tuple[str, ...], reason: str | None = None
    ) -> list[dict[str, Any]]:
        """Queue entries with one of `statuses`, oldest (longest waiting) first."""

    def claim(self, conversation_id: str, agent: str) -> bool:
        """Atomically claim a waiting conversation for `agent`; False if someone else has it."""

    def record_response(self, conversation_id: str) -> None:
        """Stamp the first human response time (kept if already set)."""

    def close_handoff(self, conversation_id: str, status: str) -> None:
        """Mark the entry `resolved` or `returned` and stamp the resolution time."""

    def release_claim(
        self, conversation_id: str, holder: str | None, claimed_before: float | None = None
    ) -> bool:
        """Put a claimed entry back to `waiting`; False if the condition no longer holds.

        `holder` requires that agent to hold the claim; `claimed_before` requires an
        unanswered claim (no first response) taken before that time (the SLA sweep).
        """

    def reassign(self, conversation_id: str, holder: str | None, agent: str) -> bool:
        """Hand a claimed entry to `agent` (from `holder` when given); False if it moved."""

    def set_labels(
        self, conversation_id: str, tags: list[str] | None, priority: str | None
    ) -> bool:
        """Replace the entry's tags and/or priority (None leaves one as is); False if absent."""

    def add_note(self, conversation_id: str, author: str, text: str) -> dict[str, Any]:
        """Append an internal note (agents only; never sent to the customer or the model)."""

    def list_notes(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's internal notes, oldest first."""

    def put_macro(self, macro: dict[str, Any]) -> None:
        """Create or replace a canned response (`id`, `title`, `body`, `updated_by`)."""

    def list_macros(self) -> list[dict[str, Any]]:
        """Every canned response, by title."""

    def delete_macro(self, macro_id: str) -> bool:
        """Delete a canned response; False if there was none."""

    def delete_conversation(self, conversation_id: str) -> int:
        """Delete a conversation's record, events and queue entry; return the events deleted."""

    def compact(self) -> None:
        """Make deleted data unrecoverable from the storage itself (a no-op where it is)."""

    # analytics ---------------------------------------------------------------------

    def events_between(
        self, start: float, end: float, types: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """Events of `types` stored in [start, end) across every conversation.

        Each row has `conversation_id`, `customer_id` (the conversation's, None when it was
        never identified), `seq`, `type`, `created_at` and `event` (the event itself),
        ordered by conversation and sequence number.
        """

    def handoffs_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Queue entries opened in [start, end), whatever their status, oldest first."""

    def record_csat(self, conversation_id: str, score: int, customer_id: str | None) -> None:
        """Store (or replace) the customer's satisfaction score (1-5) for a conversation."""

    def get_csat(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's satisfaction answer (`score`, `created_at`), or None."""

    def csat_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Satisfaction answers given in [start, end): `conversation_id`, `score`, `created_at`."""
