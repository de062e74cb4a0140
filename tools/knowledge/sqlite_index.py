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

from tools.embeddings.base import Embedder
from tools.knowledge.base import Document, Passage
from tools.knowledge.dense import SqliteVectorIndex
from tools.knowledge.hybrid import HybridConfig
from tools.knowledge.sqlite_schema import CANDIDATES_SQL, SCHEMA, TENANT_CLAUSE
from tools.knowledge.text import query_stems, stemmed_terms, strip_question_phrases

UpsertOutcome = Literal["added", "updated", "unchanged"]

SCHEMA_VERSION = 1
"""Version of the table layout and of the term analysis (tokens, stop words, stems)."""
DEFAULT_TITLE_WEIGHT = 2.0
DEFAULT_MAX_QUERY_TERMS = 64
BM25_K1 = 1.2
BM25_B = 0.75
BM25_K3 = 100.0
"""Saturation of repeated query terms (BM25's k3): a long message that keeps naming a topic
weighs it almost in proportion (qtf 2 counts 1.98); a term said once counts 1.0, so short
queries are unaffected. Chosen on bench/kb_retrieval.py (nDCG@10 0.341 -> 0.428)."""
MIN_CANDIDATE_POOL = 50

_Row = tuple[str, str, str, str, str, str, str, int]


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
        title_weight: float = DEFAULT_TITLE_WEIGHT,
        max_query_terms: int = DEFAULT_MAX_QUERY_TERMS,
        embedder: Embedder | None = None,
        hybrid: HybridConfig | None = None,
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
            self._conn.executescript(SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.hybrid = hybrid or HybridConfig()
            self.vectors: SqliteVectorIndex | None = None
            if embedder is not None:
                self.vectors = SqliteVectorIndex(self._conn, self._lock, embedder)
                self.vectors.refresh()
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
        if k <= 0:
            return []
        tenant = tenant if tenant is not None else self.default_tenant
        if self.vectors is None:
            scored = self._bm25_ranked(query, max(MIN_CANDIDATE_POOL, 5 * k), tenant)
            return [_passage(row, score) for row, score in scored[:k]]
        pool = max(self.hybrid.pool, k)
        lexical = self._bm25_ranked(query, pool, tenant)
        rows = {row[7]: row for row, _score in lexical}
        dense = self.vectors.search(self.vectors.embed_query(query), pool, tenant)
        fused = self.hybrid.fuse([(row[7], score) for row, score in lexical], dense)[:k]
        missing = [doc_id for doc_id, _score in fused if doc_id not in rows]
        rows.update(self._rows_by_id(missing))
        return [_passage(rows[doc_id], score) for doc_id, score in fused if doc_id in rows]

    def _bm25_ranked(self, query: str, pool: int, tenant: str | None) -> list[tuple[_Row, float]]:
        """Return up to `pool` candidate rows with their Okapi BM25 score, best first."""
        terms = query_stems(query, self.max_query_terms)
        if not terms:
            return []
        params: list[object] = [self.title_weight, _match_expression(terms)]
        clause = ""
        with self._lock:
            # Filtering row by row is the slow part; skip it when no other tenant exists.
            if tenant is not None and self._other_tenants_exist(tenant):
                clause = TENANT_CLAUSE
                params.append(tenant)
            params.append(pool)
            sql = CANDIDATES_SQL.format(tenant_clause=clause)
            rows: list[_Row] = self._conn.execute(sql, params).fetchall()
            if not rows:
                return []
            idf, average_length = self._statistics(terms)
        repeats = Counter(stemmed_terms(strip_question_phrases(query)))
        weights = {
            term: value * (BM25_K3 + 1) * repeats[term] / (BM25_K3 + repeats[term])
            for term, value in idf.items()
        }
        scored = sorted(
            ((self._bm25(row, weights, average_length), index) for index, row in enumerate(rows)),
            key=lambda pair: (-pair[0], pair[1]),
        )
        return [(rows[index], score) for score, index in scored]

    def _other_tenants_exist(self, tenant: str) -> bool:
        sql = "SELECT 1 FROM documents WHERE tenant != ? LIMIT 1"
        return self._conn.execute(sql, (tenant,)).fetchone() is not None

    def _rows_by_id(self, document_ids: list[int]) -> dict[int, _Row]:
        if not document_ids:
            return {}
        placeholders = ",".join("?" * len(document_ids))
        sql = (
            "SELECT article_id, title, body, source, tenant, title_terms, body_terms, id "
            f"FROM documents WHERE id IN ({placeholders})"
        )
        with self._lock:
            return {row[7]: row for row in self._conn.execute(sql, document_ids).fetchall()}

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
