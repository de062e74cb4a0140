"""Core types of the knowledge base: documents in, passages out, one search protocol."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrieved article.

    `score` is higher for better matches; it is only comparable within one result list.
    `source` is the file path or URL the article was indexed from.
    """

    article_id: str
    title: str
    text: str
    source: str
    score: float
    tenant: str


@dataclass(frozen=True, slots=True)
class Document:
    """An article to index, identified by `(tenant, source)`.

    `content_hash` lets callers skip unchanged content; when empty, the index derives one
    from the title and text.
    """

    article_id: str
    title: str
    text: str
    source: str
    tenant: str
    content_hash: str = ""

    def effective_hash(self) -> str:
        """Return `content_hash`, or a sha256 of title and text when none was given."""
        return self.content_hash or text_hash(self.title, self.text)


def text_hash(*parts: str) -> str:
    """Return the hex sha256 of the given strings joined by NUL characters."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@runtime_checkable
class KnowledgeBase(Protocol):
    """Anything that can answer a text query with ranked passages."""

    def search(self, query: str, k: int = 5, tenant: str | None = None) -> list[Passage]:
        """Return up to `k` passages for `query`, best first, limited to `tenant`."""
        ...
