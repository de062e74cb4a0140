"""Knowledge base on SQLite FTS5, ranked with BM25 (title weighted above body).

Documents live in an ordinary table keyed by `(tenant, source)`. Each document is also
stored as a stream of stemmed content terms (stop words removed), which an
external-content FTS5 table, kept in step by triggers, indexes. Because the index holds
exactly the terms the query builder produces, queries are plain OR-ed quoted terms (user
text can never be parsed as FTS syntax) and term statistics can be read back from the
index through an `fts5vocab` table.

Ranking has two stages: FTS5's built-in `bm25()` picks a candidate pool, then the pool
is re-scored with Okapi BM25 using the always-positive (Lucene) IDF. FTS5's own IDF is
clamped to almost zero for terms found in more than half of the documents, which in a
small help centre ("order", "return", "refund") would make the most important word of a
question count for nothing.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Literal

from tools.knowledge.base import Document, Passage
from tools.knowledge.text import query_stems, stemmed_terms

UpsertOutcome = Literal["added", "updated", "unchanged"]

SCHEMA_VERSION = 1
"""Version of the table layout and of the term analysis (tokens, stop words, stems)."""
DEFAULT_TITLE_WEIGHT = 2.0
DEFAULT_MAX_QUERY_TERMS = 64
BM25_K1 = 1.2
BM25_B = 0.75
MIN_CANDIDATE_POOL = 50

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    source TEXT NOT NULL,
    article_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    title_terms TEXT NOT NULL,
    body_terms TEXT NOT NULL,
    length INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (tenant, source)
);
CREATE INDEX IF NOT EXISTS documents_article ON documents (tenant, article_id);
CREATE TABLE IF NOT EXISTS corpus_stats (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    documents INTEGER NOT NULL,
    total_length INTEGER NOT NULL
);
INSERT OR IGNORE INTO corpus_stats (id, documents, total_length) VALUES (1, 0, 0);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title_terms, body_terms,
    content='documents', content_rowid='id',
    tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_vocab USING fts5vocab(documents_fts, 'row');
CREATE TRIGGER IF NOT EXISTS documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, title_terms, body_terms)
    VALUES (new.id, new.title_terms, new.body_terms);
    UPDATE corpus_stats SET documents = documents + 1, total_length = total_length + new.length;
END;
CREATE TRIGGER IF NOT EXISTS documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title_terms, body_terms)
    VALUES ('delete', old.id, old.title_terms, old.body_terms);
    UPDATE corpus_stats SET documents = documents - 1, total_length = total_length - old.length;
END;
CREATE TRIGGER IF NOT EXISTS documents_au AFTER UPDATE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title_terms, body_terms)
    VALUES ('delete', old.id, old.title_terms, old.body_terms);
    INSERT INTO documents_fts (rowid, title_terms, body_terms)
    VALUES (new.id, new.title_terms, new.body_terms);
    UPDATE corpus_stats SET total_length = total_length - old.length + new.length;
END;
"""

_CANDIDATES_SQL = """
SELECT d.article_id, d.title, d.body, d.source, d.tenant, d.title_terms, d.body_terms
FROM documents_fts JOIN documents AS d ON d.id = documents_fts.rowid
WHERE documents_fts MATCH ? {tenant_clause}
ORDER BY bm25(documents_fts, ?, 1.0)
LIMIT ?
"""

_Row = tuple[str, str, str, str, str, str, str]


def _match_expression(terms: list[str]) -> str:
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def build_match_query(text: str, max_terms: int = DEFAULT_MAX_QUERY_TERMS) -> str:
    """Turn free text into a safe FTS5 MATCH expression: quoted stems joined by OR.

    Returns an empty string when the text has no content words (only stop words,
    punctuation or symbols).
    """
    return _match_expression(query_stems(text, max_terms))


class SqliteKnowledgeBase:
    """A tenant-aware knowledge base in one SQLite file (or in memory).

    `default_tenant` is used by `search` and `get` when no tenant is given; when both are
    None, they span every tenant. Term statistics (IDF, average length) are computed
    over the whole index, but results never cross the tenant filter.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        default_tenant: str | None = None,
        title_weight: float = DEFAULT_TITLE_WEIGHT,
        max_query_terms: int = DEFAULT_MAX_QUERY_TERMS,
    ) -> None:
        self.path = str(path)
        self.default_tenant = default_tenant
        self.title_weight = title_weight
        self.max_query_terms = max_query_terms
        self._lock = threading.RLock()
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            self._check_version()
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            self._conn.close()
            raise

    def _check_version(self) -> None:
        """Refuse an index written with another schema or term analysis."""
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents'"
        ).fetchone()
        if exists and version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"knowledge base {self.path} has index version {version}, expected "
                f"{SCHEMA_VERSION}; delete the file and ingest the articles again"
            )

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

        Any text is accepted: it is reduced to word stems, stop words are dropped and at
        most `max_query_terms` terms are kept (the most repeated, then the earliest). A
        query without content words returns an empty list.
        """
        terms = query_stems(query, self.max_query_terms)
        if k <= 0 or not terms:
            return []
        tenant = tenant if tenant is not None else self.default_tenant
        params: list[object] = [_match_expression(terms)]
        clause = ""
        if tenant is not None:
            clause = "AND d.tenant = ?"
            params.append(tenant)
        params += [self.title_weight, max(MIN_CANDIDATE_POOL, 5 * k)]
        sql = _CANDIDATES_SQL.format(tenant_clause=clause)
        with self._lock:
            rows: list[_Row] = self._conn.execute(sql, params).fetchall()
            if not rows:
                return []
            idf, average_length = self._statistics(terms)
        scored = sorted(
            ((self._bm25(row, idf, average_length), index) for index, row in enumerate(rows)),
            key=lambda pair: (-pair[0], pair[1]),
        )
        return [
            Passage(
                article_id=rows[index][0],
                title=rows[index][1],
                text=rows[index][2],
                source=rows[index][3],
                score=round(score, 6),
                tenant=rows[index][4],
            )
            for score, index in scored[:k]
        ]

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
            return self._upsert(document)

    def upsert_many(self, documents: Iterable[Document]) -> dict[UpsertOutcome, int]:
        """Upsert many documents in one transaction; return how many had each outcome."""
        counts: dict[UpsertOutcome, int] = {"added": 0, "updated": 0, "unchanged": 0}
        with self._transaction():
            for document in documents:
                counts[self._upsert(document)] += 1
        return counts

    def delete(self, source: str, tenant: str) -> bool:
        """Remove the document indexed from `source` for `tenant`; tell whether it existed."""
        with self._transaction():
            cursor = self._conn.execute(
                "DELETE FROM documents WHERE tenant = ? AND source = ?", (tenant, source)
            )
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

    def _statistics(self, terms: list[str]) -> tuple[dict[str, float], float]:
        """Return the IDF of each query term and the average document length."""
        documents, total_length = self._conn.execute(
            "SELECT documents, total_length FROM corpus_stats WHERE id = 1"
        ).fetchone()
        placeholders = ",".join("?" * len(terms))
        frequencies = dict(
            self._conn.execute(
                f"SELECT term, doc FROM documents_vocab WHERE term IN ({placeholders})", terms
            ).fetchall()
        )
        idf = {
            term: math.log(1 + (documents - n + 0.5) / (n + 0.5))
            for term in terms
            if (n := frequencies.get(term, 0))
        }
        return idf, max(1.0, total_length / max(1, documents))

    def _bm25(self, row: _Row, idf: dict[str, float], average_length: float) -> float:
        title_counts = Counter(row[5].split())
        body_counts = Counter(row[6].split())
        length = sum(title_counts.values()) + sum(body_counts.values())
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average_length)
        score = 0.0
        for term, weight in idf.items():
            tf = self.title_weight * title_counts.get(term, 0) + body_counts.get(term, 0)
            if tf:
                score += weight * tf * (BM25_K1 + 1) / (tf + norm)
        return score

    def _upsert(self, document: Document) -> UpsertOutcome:
        digest = document.effective_hash()
        row = self._conn.execute(
            "SELECT id, content_hash, article_id, title FROM documents "
            "WHERE tenant = ? AND source = ?",
            (document.tenant, document.source),
        ).fetchone()
        if row is not None and tuple(row[1:]) == (digest, document.article_id, document.title):
            return "unchanged"
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
            self._conn.execute(
                "INSERT INTO documents (article_id, title, body, title_terms, body_terms, "
                "length, content_hash, updated_at, tenant, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, document.tenant, document.source),
            )
            return "added"
        self._conn.execute(
            "UPDATE documents SET article_id = ?, title = ?, body = ?, title_terms = ?, "
            "body_terms = ?, length = ?, content_hash = ?, updated_at = ? WHERE id = ?",
            (*values, row[0]),
        )
        return "updated"

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
