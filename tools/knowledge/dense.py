"""Dense vectors of knowledge-base documents, stored in SQLite and searched with numpy.

Each document's vector (its title and text, embedded) lives in `document_vectors` beside
the embedder's name and the content hash it was computed from. `refresh` embeds exactly the
documents whose vector is missing, stale (content changed) or from another embedder, so
re-ingesting unchanged files costs nothing and changing the model re-embeds everything.

Search is a brute-force dot product over an in-memory float32 matrix (rows are unit
vectors, so the dot product is the cosine). The matrix is loaded on first search and
reloaded only after a write, here or by another connection (`PRAGMA data_version`). At
10,000 documents of 384 dimensions that is a 15 MB matrix and well under a millisecond
of arithmetic per query.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tools.knowledge.tenants import TenantMasks

if TYPE_CHECKING:
    from tools.embeddings.base import Embedder

VECTOR_SCHEMA = """
CREATE TABLE IF NOT EXISTS document_vectors (
    document_id INTEGER PRIMARY KEY,
    embedder TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS documents_vectors_ad AFTER DELETE ON documents BEGIN
    DELETE FROM document_vectors WHERE document_id = old.id;
END;
"""
"""Added beside the documents table; deleting a document deletes its vector."""

EMBED_BATCH = 64
MAX_EMBED_CHARS = 2000
"""Text embedded per document: the title and the start of the body."""
QUERY_WINDOW_WORDS = 80
MAX_QUERY_WINDOWS = 12

_STALE_SQL = """
SELECT d.id, d.title, d.body, d.content_hash
FROM documents AS d LEFT JOIN document_vectors AS v ON v.document_id = d.id
WHERE (v.document_id IS NULL OR v.embedder != ? OR v.content_hash != d.content_hash)
ORDER BY d.id
"""


def document_text(title: str, body: str) -> str:
    """The text whose vector represents a document."""
    return f"{title}\n{body}"[:MAX_EMBED_CHARS]


@dataclass(frozen=True)
class _Matrix:
    """Vectors of one embedder, with each row's document id and tenant."""

    ids: np.ndarray
    tenants: np.ndarray
    vectors: np.ndarray
    data_version: int
    tenant_mask: TenantMasks = field(init=False, compare=False, repr=False)
    """Boolean mask of one tenant's rows, computed once per loaded matrix."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tenant_mask", TenantMasks(self.tenants))


class SqliteVectorIndex:
    """Document vectors of one embedder inside a knowledge base's SQLite connection."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock, embedder: Embedder) -> None:
        """Use `conn` (which must hold the `documents` table) under `lock`."""
        self._conn = conn
        self._lock = lock
        self.embedder = embedder
        self._matrix: _Matrix | None = None
        self._local_writes = 0
        self._loaded_writes = -1
        with self._lock:
            self._conn.executescript(VECTOR_SCHEMA)

    def stale_count(self) -> int:
        """Number of documents whose vector is missing, outdated or from another model."""
        with self._lock:
            rows = self._conn.execute(_STALE_SQL, (self.embedder.name,)).fetchall()
        return len(rows)

    def refresh(self, document_ids: Sequence[int] | None = None) -> int:
        """Embed the documents whose vector is missing or stale; return how many.

        With `document_ids`, only those documents are looked at (the ones just written).
        """
        with self._lock:
            if document_ids is None:
                rows = self._conn.execute(_STALE_SQL, (self.embedder.name,)).fetchall()
            else:
                rows = []
                for start in range(0, len(document_ids), 500):
                    chunk = list(document_ids[start : start + 500])
                    sql = _STALE_SQL.replace(
                        "ORDER BY d.id", f"AND d.id IN ({','.join('?' * len(chunk))}) ORDER BY d.id"
                    )
                    rows += self._conn.execute(sql, (self.embedder.name, *chunk)).fetchall()
        for start in range(0, len(rows), EMBED_BATCH):
            batch = rows[start : start + EMBED_BATCH]
            vectors = self.embedder.embed([document_text(row[1], row[2]) for row in batch])
            records = [
                (
                    row[0],
                    self.embedder.name,
                    row[3],
                    np.ascontiguousarray(vector, np.float32).tobytes(),
                )
                for row, vector in zip(batch, vectors, strict=True)
            ]
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    self._conn.executemany(
                        "INSERT OR REPLACE INTO document_vectors "
                        "(document_id, embedder, content_hash, vector) VALUES (?, ?, ?, ?)",
                        records,
                    )
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
        if rows:
            self.invalidate()
        return len(rows)

    def invalidate(self) -> None:
        """Forget the loaded matrix (called after this connection writes documents)."""
        with self._lock:
            self._local_writes += 1

    def embed_query(self, text: str) -> np.ndarray:
        """Return the unit vector of a query.

        A long query (past `QUERY_WINDOW_WORDS` words) is embedded in windows whose unit
        vectors are averaged, because encoders truncate their input: without this only the
        opening of a long scenario would count.
        """
        words = text.split()
        if len(words) <= QUERY_WINDOW_WORDS:
            return np.asarray(self.embedder.embed([text])[0], dtype=np.float32)
        windows = [
            " ".join(words[start : start + QUERY_WINDOW_WORDS])
            for start in range(0, len(words), QUERY_WINDOW_WORDS)
        ][:MAX_QUERY_WINDOWS]
        mean = np.asarray(self.embedder.embed(windows), dtype=np.float32).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean

    def search(
        self, query_vector: np.ndarray, k: int, tenant: str | None = None
    ) -> list[tuple[int, float]]:
        """Return up to `k` `(document_id, cosine)` pairs, best first, within `tenant`."""
        matrix = self._current()
        if k <= 0 or matrix.vectors.shape[0] == 0:
            return []
        # Scoring every row and masking is cheaper than copying one tenant's rows out.
        scores = matrix.vectors @ query_vector
        count = scores.shape[0]
        if tenant is not None:
            mask = matrix.tenant_mask(tenant)
            count = int(np.count_nonzero(mask))
            if count == 0:
                return []
            if count < scores.shape[0]:
                scores = np.where(mask, scores, -np.inf)
        count = min(k, count)
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.lexsort((top, -scores[top]))]
        return [(int(matrix.ids[i]), float(scores[i])) for i in top]

    def _current(self) -> _Matrix:
        with self._lock:
            version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            cached = self._matrix
            if (
                cached is not None
                and cached.data_version == version
                and self._loaded_writes == self._local_writes
            ):
                return cached
            self._matrix = self._load(version)
            self._loaded_writes = self._local_writes
            return self._matrix

    def _load(self, version: int) -> _Matrix:
        rows: Sequence[tuple[int, str, bytes]] = self._conn.execute(
            "SELECT v.document_id, d.tenant, v.vector FROM document_vectors AS v "
            "JOIN documents AS d ON d.id = v.document_id "
            "WHERE v.embedder = ? AND v.content_hash = d.content_hash ORDER BY v.document_id",
            (self.embedder.name,),
        ).fetchall()
        dimension = self.embedder.dimension
        vectors = np.empty((len(rows), dimension), dtype=np.float32)
        for index, row in enumerate(rows):
            vectors[index] = np.frombuffer(row[2], dtype=np.float32, count=dimension)
        return _Matrix(
            ids=np.asarray([row[0] for row in rows], dtype=np.int64),
            tenants=np.asarray([row[1] for row in rows], dtype=object),
            vectors=vectors,
            data_version=version,
        )
