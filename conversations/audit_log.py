"""The audit log: an append-only record of consequential and agent actions.

Entries (`graphs.audit.AuditEntry`) are appended by the graph (order actions the customer
confirmed) and by the server and CLI (agent actions on the handoff queue). A log offers
`append` and filtered, cursor-paginated reads, oldest first; there is no way to change or
remove an entry. `open_audit_log` in `wiring.persistence` picks SQLite or DynamoDB with the
server store. `to_csv` / `to_jsonl` write the export format of `GET /v1/admin/audit` and
`tandem audit export`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from graphs.audit import AuditEntry

CURSOR_PATTERN = r"^[0-9]{1,26}$"
"""What every log's cursors look like (SQLite: an entry number; DynamoDB: a sort key)."""

FIELDS = ("id", "at", "actor", "role", "action", "conversation_id", "outcome", "detail")
"""Columns of an exported entry, in order."""


@dataclass(frozen=True)
class AuditQuery:
    """Which entries to read: every given field must match; `since` / `until` bound `at`."""

    actor: str | None = None
    action: str | None = None
    conversation_id: str | None = None
    outcome: str | None = None
    since: float | None = None
    until: float | None = None


class AuditLog(Protocol):
    """An append-only audit log; safe to share between threads."""

    def append(self, entry: AuditEntry) -> None:
        """Record `entry` after every earlier one."""

    def page(
        self, query: AuditQuery, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` matching entries after `cursor`, oldest first, and the next cursor.

        Each entry is a dict with the keys of `FIELDS`; the next cursor is None at the end.
        Cursors are 1 to 26 ASCII digits (`CURSOR_PATTERN`); anything else raises ValueError.
        """

    def close(self) -> None:
        """Release connections."""


def entry_values(entry: AuditEntry) -> dict[str, Any]:
    """An entry's stored values (without its id, which the log assigns)."""
    return {
        "at": entry.at,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "conversation_id": entry.conversation_id,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }


def all_entries(
    log: AuditLog, query: AuditQuery, cursor: str | None = None, page_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Every matching entry after `cursor` (from the start: None), oldest first, by pages."""
    while True:
        items, cursor = log.page(query, cursor, page_size)
        yield from items
        if cursor is None:
            return


def to_jsonl(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Entries as JSON lines, one object per line."""
    for entry in entries:
        yield json.dumps(entry, default=str, sort_keys=True) + "\n"


def to_csv(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Entries as CSV with a header row; `detail` is a JSON cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    yield _drain(buffer)
    for entry in entries:
        writer.writerow({**entry, "detail": json.dumps(entry.get("detail"), sort_keys=True)})
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
