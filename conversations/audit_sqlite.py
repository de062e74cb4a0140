"""`AuditLog` on SQLite: a table in the server store's file, append-only by trigger.

The table has no update or delete path in code, and triggers abort any `UPDATE` or
`DELETE` on it, so even a hand-written statement cannot rewrite history.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from conversations.audit_log import AuditQuery, entry_values
from conversations.sqlite_files import open_database
from graphs.audit import AuditEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    conversation_id TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_conversation ON audit_log(conversation_id, id);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log(actor, id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

_COLUMNS = ("actor", "action", "conversation_id", "outcome")
_LAST_ID = 2**63 - 1


class SqliteAuditLog:
    """The audit log in a SQLite file (the server store's); thread-safe."""

    def __init__(self, path: str | Path) -> None:
        self._conn = open_database(path, SCHEMA, rows=True)
        self._lock = threading.Lock()

    def append(self, entry: AuditEntry) -> None:
        """Record `entry`."""
        values = entry_values(entry)
        values["detail"] = json.dumps(values["detail"], default=str, sort_keys=True)
        with self._lock:
            self._conn.execute(
                "INSERT INTO audit_log (at, actor, role, action, conversation_id, outcome, detail)"
                " VALUES (:at, :actor, :role, :action, :conversation_id, :outcome, :detail)",
                values,
            )

    def page(
        self, query: AuditQuery, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` matching entries after `cursor` (an entry id), oldest first."""
        if cursor is not None and not re.fullmatch(r"[0-9]{1,26}", cursor):
            raise ValueError("the cursor is not one this log gave out")
        where = ["id > ?"]
        args: list[Any] = [min(int(cursor), _LAST_ID) if cursor else 0]
        for column in _COLUMNS:
            value = getattr(query, column)
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if query.since is not None:
            where.append("at >= ?")
            args.append(query.since)
        if query.until is not None:
            where.append("at < ?")
            args.append(query.until)
        sql = f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY id LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, (*args, limit + 1)).fetchall()
        items = [{**dict(row), "detail": json.loads(row["detail"])} for row in rows[:limit]]
        for item in items:
            item["id"] = str(item["id"])
        return items, (items[-1]["id"] if len(rows) > limit else None)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
