"""The audit trail's interface: who did what, when, on which conversation, with what outcome.

The graph records every consequential order action it carries out (after the customer's
explicit yes) through `Services.audit`; the server and the CLI record agent actions on the
handoff queue. Where entries are kept (an append-only table) is the composition root's
choice; the graph only sees an `AuditSink`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Outcome = Literal["ok", "failed", "refused"]
"""How an audited action ended: done, attempted but failed, or refused before it ran."""


@dataclass(frozen=True)
class AuditEntry:
    """One audited action."""

    actor: str
    """Who acted: the customer's user id, or the agent's / admin's subject."""
    role: str
    """The actor's role: `customer`, `agent` or `admin`."""
    action: str
    """What was done, e.g. `order.cancel_pending_order` or `queue.claim`."""
    conversation_id: str | None
    """The conversation it was done in."""
    outcome: Outcome
    """How it ended."""
    detail: dict[str, Any] = field(default_factory=dict)
    """The action's arguments or the reason it failed (JSON-serialisable)."""
    at: float = field(default_factory=time.time)
    """When, in seconds since the epoch."""


class AuditSink(Protocol):
    """Takes audit entries; appending must never change or remove an earlier entry."""

    def append(self, entry: AuditEntry) -> None:
        """Record `entry`."""


class NoAudit:
    """An audit sink that keeps nothing (graphs built without a deployment: tests, studio)."""

    def append(self, entry: AuditEntry) -> None:
        """Drop `entry`."""
