"""BM25F ranking of a SQLite knowledge base, from a term matrix kept in memory.

The stemmed terms of every document are read from the `documents` table into a
`TermMatrix` on the first search, and read again only after a write, here or by another
connection (`PRAGMA data_version`), as the dense vectors are. Reading 10,000 articles took
1.2 s (0.8 s of CPU) on `bench/kb_latency.py`; each search then costs a sparse row-slice
and a weighted sum. The matrix of those 10,000 articles holds 0.98 million entries (8 MB).
"""

from __future__ import annotations

import sqlite3
import threading

from tools.knowledge.bm25 import Bm25Params, DocumentTerms, TermMatrix, query_term_weights


class SqliteTermIndex:
    """BM25F search over the `documents` table of one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock, params: Bm25Params) -> None:
        """Rank with `params`, reading `conn` (which must hold `documents`) under `lock`."""
        self._conn = conn
        self._lock = lock
        self.params = params
        self._matrix: TermMatrix | None = None
        self._data_version = -1
        self._local_writes = 0
        self._loaded_writes = -1

    def invalidate(self) -> None:
        """Forget the loaded matrix (called after this connection writes documents)."""
        with self._lock:
            self._local_writes += 1

    def search(self, query: str, k: int, tenant: str | None = None) -> list[tuple[int, float]]:
        """Return up to `k` `(document_id, score)` pairs for `query`, best first."""
        weights = query_term_weights(query, self.params)
        if not weights or k <= 0:
            return []
        return self.current().top(weights, k, tenant)

    def current(self) -> TermMatrix:
        """Return the matrix of the documents as they are now, reading them if needed."""
        with self._lock:
            version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            if (
                self._matrix is None
                or version != self._data_version
                or self._loaded_writes != self._local_writes
            ):
                rows = self._conn.execute(
                    "SELECT id, tenant, title_terms, body_terms FROM documents ORDER BY id"
                ).fetchall()
                self._matrix = TermMatrix([DocumentTerms(*row) for row in rows], self.params)
                self._data_version = version
                self._loaded_writes = self._local_writes
            return self._matrix
