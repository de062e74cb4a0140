"""The SQLite knowledge base's tables, and the step that upgrades an index from version 1.

Documents are rows keyed by `(tenant, source)`, holding their text and its stemmed terms.
Ranking reads the terms into memory (`tools.knowledge.sqlite_lexical`), so no full-text
index is kept. Version 1 indexes also carried an FTS5 table, its triggers and corpus
statistics; upgrading drops those and leaves the documents as they are (the term analysis
did not change).
"""

SCHEMA_VERSION = 2
"""Version of the table layout and of the term analysis (tokens, stop words, stems)."""

SCHEMA = """
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
"""

UPGRADE_FROM_V1 = """
DROP TRIGGER IF EXISTS documents_ai;
DROP TRIGGER IF EXISTS documents_ad;
DROP TRIGGER IF EXISTS documents_au;
DROP TABLE IF EXISTS documents_vocab;
DROP TABLE IF EXISTS documents_fts;
DROP TABLE IF EXISTS corpus_stats;
"""
"""Turns a version 1 index into a version 2 one (run inside a transaction)."""
