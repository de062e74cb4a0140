"""The bundled demo help centre of the Tandem demo store.

The articles in `articles/` follow the store's order policy (the τ-bench retail rules):
only pending orders can be cancelled or modified, delivered orders can be returned within
30 days or exchanged for another option of the same product, and refunds to a gift card
are immediate while other refunds take 5–7 business days.
"""

from __future__ import annotations

from pathlib import Path

from tools.embeddings.base import Embedder
from tools.knowledge.ingest import IngestReport, ingest_path
from tools.knowledge.sqlite_index import SqliteKnowledgeBase

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"


def ensure_demo_kb(
    kb_path: str | Path, tenant: str, embedder: Embedder | None = None
) -> SqliteKnowledgeBase:
    """Open the knowledge base at `kb_path` and make sure the demo articles are indexed.

    Ingestion is incremental, so calling this again only hashes the article files.
    The returned knowledge base searches `tenant` by default; with an `embedder` it also
    stores each article's vector and searches hybrid (BM25 + vectors).
    """
    kb = SqliteKnowledgeBase(kb_path, default_tenant=tenant, embedder=embedder)
    load_demo_articles(kb, tenant)
    return kb


def load_demo_articles(kb: SqliteKnowledgeBase, tenant: str) -> IngestReport:
    """Index (or refresh) the bundled demo articles for `tenant` in an open knowledge base."""
    return ingest_path(kb, ARTICLES_DIR, tenant)
