"""The agent workspace part of the SQLite server store: assignment, labels, notes, macros.

A mixin of `SqliteServerStore` (it shares its connection and lock). Every change of a
claim is one conditional `UPDATE`, so a release racing a new claim or reply has one winner.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from typing import Any

WORKSPACE_SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_conversation ON notes(conversation_id, created_at);
CREATE TABLE IF NOT EXISTS macros (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT,
    updated_at REAL NOT NULL
);
"""
HANDOFF_COLUMNS = {"tags": "TEXT", "priority": "TEXT", "order_id": "TEXT"}
"""Queue entry columns added after the first release (added to older files on open)."""


def migrate_workspace(conn: sqlite3.Connection) -> None:
    """Create the workspace tables and add missing queue entry columns."""
    conn.executescript(WORKSPACE_SCHEMA)
    present = {row[1] for row in conn.execute("PRAGMA table_info(handoffs)")}
    for name, kind in HANDOFF_COLUMNS.items():
        if name not in present:
            conn.execute(f"ALTER TABLE handoffs ADD COLUMN {name} {kind}")


class SqliteWorkspace:
    """Assignment, labels, internal notes and canned responses on the store's connection."""

    _conn: sqlite3.Connection
    _lock: threading.Lock

    def _update_handoff(self, sets: str, where: str, args: tuple[Any, ...]) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                f"UPDATE handoffs SET {sets} WHERE conversation_id = ? AND {where}", args
            )
        return cursor.rowcount == 1

    def release_claim(
        self, conversation_id: str, holder: str | None, claimed_before: float | None = None
    ) -> bool:
        """Put a claimed entry back to `waiting`; False if the condition no longer holds."""
        where = "status = 'claimed'"
        args: list[Any] = [time.time(), conversation_id]
        if holder is not None:
            where += " AND claimed_by = ?"
            args.append(holder)
        if claimed_before is not None:
            where += " AND first_response_at IS NULL AND claimed_at < ?"
            args.append(claimed_before)
        return self._update_handoff(
            "status = 'waiting', claimed_by = NULL, claimed_at = NULL, updated_at = ?",
            where,
            tuple(args),
        )

    def reassign(self, conversation_id: str, holder: str | None, agent: str) -> bool:
        """Hand a claimed entry to `agent` (from `holder` when given); False if it moved."""
        now = time.time()
        where = "status = 'claimed'"
        args: list[Any] = [agent, now, now, conversation_id]
        if holder is not None:
            where += " AND claimed_by = ?"
            args.append(holder)
        return self._update_handoff(
            "claimed_by = ?, claimed_at = ?, updated_at = ?", where, tuple(args)
        )

    def set_labels(
        self, conversation_id: str, tags: list[str] | None, priority: str | None
    ) -> bool:
        """Replace the entry's tags and/or priority (None leaves one as is); False if absent."""
        encoded = json.dumps(tags) if tags is not None else None
        return self._update_handoff(
            "tags = COALESCE(?, tags), priority = COALESCE(?, priority), updated_at = ?",
            "1 = 1",
            (encoded, priority, time.time(), conversation_id),
        )

    def add_note(self, conversation_id: str, author: str, text: str) -> dict[str, Any]:
        """Append an internal note (agents only; never sent to the customer or the model)."""
        note = {
            "id": uuid.uuid4().hex,
            "conversation_id": conversation_id,
            "author": author,
            "text": text,
            "created_at": time.time(),
        }
        with self._lock:
            self._conn.execute(
                "INSERT INTO notes VALUES (:id, :conversation_id, :author, :text, :created_at)",
                note,
            )
        return note

    def list_notes(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's internal notes, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM notes WHERE conversation_id = ? ORDER BY created_at",
                (conversation_id,),
            ).fetchall()
        return [dict(row) for row in rows]

    def put_macro(self, macro: dict[str, Any]) -> None:
        """Create or replace a canned response (`id`, `title`, `body`, `updated_by`)."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO macros VALUES (?, ?, ?, ?, ?)",
                (macro["id"], macro["title"], macro["body"], macro.get("updated_by"), time.time()),
            )

    def list_macros(self) -> list[dict[str, Any]]:
        """Every canned response, by title."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM macros ORDER BY title, id").fetchall()
        return [dict(row) for row in rows]

    def delete_macro(self, macro_id: str) -> bool:
        """Delete a canned response; False if there was none."""
        with self._lock:
            cursor = self._conn.execute("DELETE FROM macros WHERE id = ?", (macro_id,))
        return cursor.rowcount == 1

    def delete_notes(self, conversation_id: str) -> None:
        """Delete the conversation's notes (the caller holds the lock, in its transaction)."""
        self._conn.execute("DELETE FROM notes WHERE conversation_id = ?", (conversation_id,))
