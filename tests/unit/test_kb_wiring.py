"""The embedded help centre searches hybrid with the configured embedder when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from tools.knowledge.sqlite_index import SqliteKnowledgeBase
from wiring.backends import embedded_kb_is_hybrid, open_knowledge_base


def _open(tmp_path: Path, **overrides: object) -> SqliteKnowledgeBase:
    kb = open_knowledge_base(Settings(data_dir=tmp_path, **overrides))  # type: ignore[arg-type]
    assert isinstance(kb, SqliteKnowledgeBase)
    return kb


def test_default_embedded_kb_is_bm25_alone(tmp_path: Path) -> None:
    kb = _open(tmp_path)
    assert kb.vectors is None
    kb.close()


def test_hybrid_on_uses_the_configured_embedder(tmp_path: Path) -> None:
    kb = _open(tmp_path, kb_hybrid="on", embedding_dimension=256)
    assert kb.vectors is not None
    assert kb.vectors.embedder.name == "hashing-256"
    assert kb.vectors.stale_count() == 0, "the demo articles got their vectors"
    top = kb.search("how long does a refund take to reach my card", k=3)
    assert any("refund" in passage.article_id for passage in top)
    kb.close()


@pytest.mark.parametrize(
    ("embedder", "hybrid", "expected"),
    [
        ("hashing", "auto", False),
        ("pretrained", "auto", True),
        ("titan", "auto", True),
        ("pretrained", "off", False),
        ("hashing", "on", True),
    ],
)
def test_auto_means_a_real_encoder(embedder: str, hybrid: str, expected: bool) -> None:
    settings = Settings(embedder=embedder, kb_hybrid=hybrid)  # type: ignore[arg-type]
    assert embedded_kb_is_hybrid(settings) is expected
