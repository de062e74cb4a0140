"""The backends the graph's nodes use, built once per process from settings.

Tests and embedders install their own with `use_services`; otherwise the embedded
defaults are created under the data folder on first use (seeded demo orders, the bundled
help centre, the intent classifier trained from the catalogue).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from langchain_core.language_models import BaseChatModel

from config.settings import Settings, get_settings
from prompts.catalogue import IntentCatalogue, load_catalogue
from tools.comprehend import PatternPiiRedactor, PiiRedactor
from tools.intent import IntentClassifier
from tools.knowledge.base import KnowledgeBase
from tools.orders.store import OrderStore
from tools.sentiment import SentimentAnalyzer


@dataclass
class Services:
    """Everything a node needs besides state and context."""

    orders: OrderStore
    kb: KnowledgeBase
    sentiment: SentimentAnalyzer
    classifier: IntentClassifier
    catalogue: IntentCatalogue
    settings: Settings
    chat_model: BaseChatModel | None = None
    """A ready chat model that overrides `Context.model` (scripted fakes in tests)."""
    redactor: PiiRedactor = field(default_factory=PatternPiiRedactor)
    """Masks personal data before a message is logged (`pii_backend`)."""


_override: Services | None = None
_lock = threading.Lock()


def build_embedded_services(settings: Settings) -> Services:
    """Create the embedded backends under `settings.data_dir`, seeding them on first use."""
    from tools.comprehend import build_pii_redactor, build_sentiment_analyzer
    from tools.orders.backends import open_order_store

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue()
    return Services(
        orders=open_order_store(settings),
        kb=open_knowledge_base(settings),
        sentiment=build_sentiment_analyzer(settings),
        redactor=build_pii_redactor(settings),
        classifier=IntentClassifier.load_or_train(
            catalogue, settings.cache_dir, settings.intent_encoder
        ),
        catalogue=catalogue,
        settings=settings,
    )


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The knowledge base `settings.kb_backend` names: the seeded SQLite demo or OpenSearch."""
    if settings.kb_backend == "opensearch":
        from tools.knowledge.opensearch_backend import open_opensearch_kb

        return open_opensearch_kb(settings, default_tenant=settings.tenant)
    from tools.knowledge.demo import ensure_demo_kb

    return ensure_demo_kb(settings.kb_db, settings.tenant)


@lru_cache(maxsize=1)
def _default_services() -> Services:
    return build_embedded_services(get_settings())


def get_services() -> Services:
    """Return the installed services, or the process-wide embedded defaults."""
    with _lock:
        if _override is not None:
            return _override
    return _default_services()


@contextmanager
def use_services(services: Services) -> Iterator[Services]:
    """Install `services` for the graph while the block runs (tests, embedding)."""
    global _override
    with _lock:
        previous, _override = _override, services
    try:
        yield services
    finally:
        with _lock:
            _override = previous
