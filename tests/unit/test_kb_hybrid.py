"""Hybrid retrieval on the SQLite knowledge base: stored vectors, re-embedding, fusion."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tools.embeddings.base import HashingEmbedder
from tools.knowledge import Document, SqliteKnowledgeBase, ingest_path
from tools.knowledge.demo import ARTICLES_DIR
from tools.knowledge.hybrid import HybridConfig


class CountingEmbedder:
    """A hashing embedder that records how many texts it was asked to embed."""

    def __init__(self, name: str = "counting-64") -> None:
        self._inner = HashingEmbedder(dimension=64)
        self.name = name
        self.dimension = 64
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self._inner.embed(texts)


def doc(source: str, title: str, text: str, tenant: str = "t1") -> Document:
    return Document(article_id=source, title=title, text=text, source=source, tenant=tenant)


def vector_rows(kb: SqliteKnowledgeBase) -> list[tuple[int, str]]:
    return kb._conn.execute(
        "SELECT document_id, embedder FROM document_vectors ORDER BY 1"
    ).fetchall()


def test_vectors_are_stored_on_upsert_and_removed_on_delete() -> None:
    embedder = CountingEmbedder()
    kb = SqliteKnowledgeBase(":memory:", embedder=embedder)
    kb.upsert(doc("a.md", "Refunds", "Refunds take five to seven business days."))
    kb.upsert_many([doc("b.md", "Shipping", "Orders ship in two days."), doc("c.md", "Gift", "x")])
    assert [name for _id, name in vector_rows(kb)] == ["counting-64"] * 3
    assert embedder.embedded == 3
    assert kb.upsert(doc("a.md", "Refunds", "Refunds take five to seven business days.")) == (
        "unchanged"
    )
    assert embedder.embedded == 3
    kb.upsert(doc("a.md", "Refunds", "Refunds now take three business days."))
    assert embedder.embedded == 4
    assert kb.delete("b.md", "t1")
    assert len(vector_rows(kb)) == 2
    assert "b.md" not in [p.article_id for p in kb.search("shipping orders", k=5)]


def test_changing_the_embedder_re_embeds_on_open(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    first = CountingEmbedder("model-a")
    with SqliteKnowledgeBase(path, embedder=first) as kb:
        kb.upsert_many([doc(f"{i}.md", f"Title {i}", f"body text {i}") for i in range(5)])
    assert first.embedded == 5
    same = CountingEmbedder("model-a")
    with SqliteKnowledgeBase(path, embedder=same):
        pass
    assert same.embedded == 0
    other = CountingEmbedder("model-b")
    with SqliteKnowledgeBase(path, embedder=other) as kb:
        assert {name for _id, name in vector_rows(kb)} == {"model-b"}
    assert other.embedded == 5


def test_bm25_only_index_gains_vectors_when_opened_with_an_embedder(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    with SqliteKnowledgeBase(path) as kb:
        kb.upsert(doc("a.md", "Returns", "Return an item within 30 days."))
    embedder = CountingEmbedder()
    with SqliteKnowledgeBase(path, embedder=embedder) as kb:
        assert embedder.embedded == 1
        assert kb.vectors is not None and kb.vectors.stale_count() == 0


def test_hybrid_search_finds_a_document_bm25_misses() -> None:
    hybrid = HybridConfig(min_dense_score=0.2)
    kb = SqliteKnowledgeBase(":memory:", embedder=HashingEmbedder(), hybrid=hybrid)
    kb.upsert_many(
        [
            doc("refund.md", "Refund timing", "Refunds reach the card in 5 to 7 business days."),
            doc("ship.md", "Shipping", "Parcels are dispatched within two days."),
        ]
    )
    # "refundable" shares no stem with "refund" for BM25, but many character trigrams.
    assert kb.lexical.search("refundable", 10) == []
    passages = kb.search("refundable", k=2)
    assert [p.article_id for p in passages] == ["refund.md"]
    strict = HybridConfig(min_dense_score=0.99)
    kb = SqliteKnowledgeBase(":memory:", embedder=HashingEmbedder(), hybrid=strict)
    kb.upsert(doc("refund.md", "Refund timing", "Refunds reach the card in 5 to 7 days."))
    assert kb.search("refundable", k=2) == []


def test_hybrid_search_respects_tenants_and_k() -> None:
    kb = SqliteKnowledgeBase(":memory:", embedder=HashingEmbedder(), hybrid=HybridConfig("minmax"))
    kb.upsert_many(
        [doc(f"t1-{i}.md", "Returns policy", f"return items {i}", tenant="t1") for i in range(4)]
        + [doc("t2.md", "Returns policy", "return items", tenant="t2")]
    )
    passages = kb.search("returns policy", k=3, tenant="t2")
    assert [(p.article_id, p.tenant) for p in passages] == [("t2.md", "t2")]
    assert len(kb.search("returns policy", k=3, tenant="t1")) == 3
    assert kb.search("returns", k=0) == []


def test_demo_help_centre_answers_with_vectors_too() -> None:
    kb = SqliteKnowledgeBase(":memory:", default_tenant="demo", embedder=HashingEmbedder())
    report = ingest_path(kb, ARTICLES_DIR, "demo")
    assert report.errors == [] and report.added >= 32
    assert kb.vectors is not None and kb.vectors.stale_count() == 0
    top = kb.search("how long does a refund take to reach my card", k=3)
    assert any("refund" in passage.article_id for passage in top)
    assert ingest_path(kb, ARTICLES_DIR, "demo").unchanged == report.added
