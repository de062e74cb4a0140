"""Knowledge base in one SQLite file, ranked with BM25F (title weighted above body).

Documents live in an ordinary table keyed by `(tenant, source)`. Each document is also
stored as its stemmed content terms (stop words removed), title and body apart; ranking
reads those into an in-memory term matrix (`tools.knowledge.sqlite_lexical`) and scores
queries with Okapi BM25F (`tools.knowledge.bm25`). User text is only ever split into
words, so no input can be parsed as query syntax.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from tools.knowledge.base import Document, Passage
from tools.knowledge.bm25 import Bm25Params
from tools.knowledge.dense import SqliteVectorIndex
from tools.knowledge.hybrid import HybridConfig
from tools.knowledge.sqlite_lexical import SqliteTermIndex
from tools.knowledge.sqlite_schema import SCHEMA, SCHEMA_VERSION, UPGRADE_FROM_V1
from tools.knowledge.text import stemmed_terms

if TYPE_CHECKING:
    from tools.embeddings.base import Embedder

UpsertOutcome = Literal["added", "updated", "unchanged"]

_Row = tuple[str, str, str, str, str, int]


class SqliteKnowledgeBase:
    """A tenant-aware knowledge base in one SQLite file (or in memory).

    `default_tenant` is used by `search` and `get` when no tenant is given; when both are
    None, they span every tenant. Term statistics (IDF, average length) are computed
    over the whole index, but results never cross the tenant filter. `bm25` sets the
    ranking parameters (`Bm25Params`: k1, b, title weight, IDF power, query-term cap).

    With an `embedder`, every written document also gets a dense vector (computed when it
    is upserted, and for any document that lacks one when the index is opened), and
    `search` fuses the BM25 and vector rankings as `hybrid` says. Without one, search is
    BM25 alone.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        default_tenant: str | None = None,
        bm25: Bm25Params | None = None,
        embedder: Embedder | None = None,
        hybrid: HybridConfig | None = None,
    ) -> None:
        self.path = str(path)
        self.default_tenant = default_tenant
        self._lock = threading.RLock()
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA busy_timeout=5000")
            self._prepare_schema()
            self.lexical = SqliteTermIndex(self._conn, self._lock, bm25 or Bm25Params())
            self.hybrid = hybrid or HybridConfig()
            self.vectors: SqliteVectorIndex | None = None
            if embedder is not None:
                self.vectors = SqliteVectorIndex(self._conn, self._lock, embedder)
                self.vectors.refresh()
        except BaseException:
            self._conn.close()
            raise

    def _prepare_schema(self) -> None:
        """Create the tables, upgrade a version 1 index, refuse any other version."""
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents'"
        ).fetchone()
        if exists and version == 1:
            self._conn.executescript(UPGRADE_FROM_V1)
        elif exists and version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"knowledge base {self.path} has index version {version}, expected "
                f"{SCHEMA_VERSION}; delete the file and ingest the articles again"
            )
        self._conn.executescript(SCHEMA)
        self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def __enter__(self) -> SqliteKnowledgeBase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connection."""
        with self._lock:
            self._conn.close()

    def search(self, query: str, k: int = 5, tenant: str | None = None) -> list[Passage]:
        """Return up to `k` passages for `query`, best first.

        Any text is accepted: it is reduced to word stems, stop words are dropped and
        repeated words weigh more. A query without content words returns an empty list
        (and, with vectors, so does one whose nearest articles are all too far).
        """
        if k <= 0:
            return []
        tenant = tenant if tenant is not None else self.default_tenant
        if self.vectors is None:
            ranked = self.lexical.search(query, k, tenant)
        else:
            pool = max(self.hybrid.pool, k)
            lexical = self.lexical.search(query, pool, tenant)
            dense = self.vectors.search(self.vectors.embed_query(query), pool, tenant)
            ranked = self.hybrid.fuse(lexical, dense)[:k]
        rows = self._rows_by_id([doc_id for doc_id, _score in ranked])
        return [_passage(rows[doc_id], score) for doc_id, score in ranked if doc_id in rows]

    def _rows_by_id(self, document_ids: list[int]) -> dict[int, _Row]:
        if not document_ids:
            return {}
        placeholders = ",".join("?" * len(document_ids))
        sql = (
            "SELECT article_id, title, body, source, tenant, id "
            f"FROM documents WHERE id IN ({placeholders})"
        )
        with self._lock:
            return {row[5]: row for row in self._conn.execute(sql, document_ids).fetchall()}

    def get(self, article_id: str, tenant: str | None = None) -> Passage | None:
        """Return the article with this id (score 0.0), or None when absent."""
        tenant = tenant if tenant is not None else self.default_tenant
        sql = "SELECT article_id, title, body, source, tenant FROM documents WHERE article_id = ?"
        params: list[object] = [article_id]
        if tenant is not None:
            sql += " AND tenant = ?"
            params.append(tenant)
        with self._lock:
            row = self._conn.execute(sql + " ORDER BY id LIMIT 1", params).fetchone()
        if row is None:
            return None
        return Passage(row[0], row[1], row[2], row[3], 0.0, row[4])

    def upsert(self, document: Document) -> UpsertOutcome:
        """Add the document, or replace the one with the same `(tenant, source)`.

        Returns "unchanged" without writing when the stored content hash, article id and
        title are the same.
        """
        with self._transaction():
            outcome, document_id = self._upsert(document)
        if outcome != "unchanged":
            self.lexical.invalidate()
        self._embed([document_id])
        return outcome

    def upsert_many(self, documents: Iterable[Document]) -> dict[UpsertOutcome, int]:
        """Upsert many documents in one transaction; return how many had each outcome."""
        counts: dict[UpsertOutcome, int] = {"added": 0, "updated": 0, "unchanged": 0}
        written: list[int] = []
        with self._transaction():
            for document in documents:
                outcome, document_id = self._upsert(document)
                counts[outcome] += 1
                written.append(document_id)
        if counts["added"] or counts["updated"]:
            self.lexical.invalidate()
        self._embed(written)
        return counts

    def _embed(self, document_ids: list[int]) -> None:
        """Give the written documents their vectors (nothing to do without an embedder)."""
        if self.vectors is not None:
            self.vectors.invalidate()
            self.vectors.refresh(document_ids)

    def delete(self, source: str, tenant: str) -> bool:
        """Remove the document indexed from `source` for `tenant`; tell whether it existed."""
        with self._transaction():
            cursor = self._conn.execute(
                "DELETE FROM documents WHERE tenant = ? AND source = ?", (tenant, source)
            )
        self.lexical.invalidate()
        if self.vectors is not None:
            self.vectors.invalidate()
        return cursor.rowcount > 0

    def source_hashes(self, tenant: str, under: str | None = None) -> dict[str, str]:
        """Map each source of `tenant` to its content hash.

        With `under`, only sources that start with that prefix (e.g. a folder path
        followed by a separator) are returned.
        """
        sql = "SELECT source, content_hash FROM documents WHERE tenant = ?"
        params: list[object] = [tenant]
        if under is not None:
            sql += " AND substr(source, 1, ?) = ?"
            params += [len(under), under]
        with self._lock:
            return dict(self._conn.execute(sql, params).fetchall())

    def count(self, tenant: str | None = None) -> int:
        """Return the number of documents, for one tenant or in total."""
        sql = "SELECT count(*) FROM documents"
        params: tuple[str, ...] = ()
        if tenant is not None:
            sql, params = sql + " WHERE tenant = ?", (tenant,)
        with self._lock:
            return int(self._conn.execute(sql, params).fetchone()[0])

    def tenants(self) -> list[str]:
        """Return the tenants that have at least one document, sorted."""
        with self._lock:
            rows = self._conn.execute("SELECT DISTINCT tenant FROM documents ORDER BY 1")
            return [row[0] for row in rows]

    def _upsert(self, document: Document) -> tuple[UpsertOutcome, int]:
        digest = document.effective_hash()
        row = self._conn.execute(
            "SELECT id, content_hash, article_id, title FROM documents "
            "WHERE tenant = ? AND source = ?",
            (document.tenant, document.source),
        ).fetchone()
        if row is not None and tuple(row[1:]) == (digest, document.article_id, document.title):
            return "unchanged", int(row[0])
        title_terms = stemmed_terms(document.title)
        body_terms = stemmed_terms(document.text)
        values = (
            document.article_id,
            document.title,
            document.text,
            " ".join(title_terms),
            " ".join(body_terms),
            len(title_terms) + len(body_terms),
            digest,
            time.time(),
        )
        if row is None:
            cursor = self._conn.execute(
                "INSERT INTO documents (article_id, title, body, title_terms, body_terms, "
                "length, content_hash, updated_at, tenant, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, document.tenant, document.source),
            )
            return "added", int(cursor.lastrowid or 0)
        self._conn.execute(
            "UPDATE documents SET article_id = ?, title = ?, body = ?, title_terms = ?, "
            "body_terms = ?, length = ?, content_hash = ?, updated_at = ? WHERE id = ?",
            (*values, row[0]),
        )
        return "updated", int(row[0])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Hold the lock and run the block in BEGIN IMMEDIATE ... COMMIT (or ROLLBACK)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


def _passage(row: _Row, score: float) -> Passage:
    return Passage(
        article_id=row[0],
        title=row[1],
        text=row[2],
        source=row[3],
        score=round(score, 6),
        tenant=row[4],
    )
