"""Backends for evaluation runs: pristine demo data, one private copy per conversation.

Every conversation gets its own `Services` (a private clone of the order store) and its
own graph built on them (`evals.conversation.ConversationDriver`), so conversations run
concurrently in one process without sharing any state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from langchain_core.language_models import BaseChatModel

from config.settings import Settings
from evals.grounding import normalise
from graphs.services import Services
from prompts.catalogue import IntentCatalogue, load_catalogue
from tools.knowledge.base import KnowledgeBase
from tools.knowledge.demo import ARTICLES_DIR, ensure_demo_kb
from tools.orders.seed import seed_store
from tools.orders.sqlite_store import SqliteOrderStore
from tools.sentiment import VaderSentimentAnalyzer
from tools.understanding_endpoint import IntentEngine
from wiring.backends import chat_model_loader, load_intent_classifier, turn_limits


@dataclass
class EvalBackends:
    """Read-only templates shared by every conversation of a run."""

    orders: SqliteOrderStore
    kb: KnowledgeBase
    classifier: IntentEngine
    catalogue: IntentCatalogue
    settings: Settings
    owners: dict[str, str] = field(default_factory=dict)
    """Order id → the user id that owns it, in the initial data."""
    emails: dict[str, str] = field(default_factory=dict)
    """Lower-cased email → user id, in the initial data."""
    policy_text: str = ""
    """The help centre's text: the store's policy, against which policy claims are checked."""
    policy_index: str = ""
    """`policy_text` normalised for claim look-ups."""

    def __post_init__(self) -> None:
        if not self.owners:
            data = self.orders.export_tau()
            self.owners = {oid: order["user_id"] for oid, order in data["orders"].items()}
            self.emails = {
                str(user.get("email", "")).lower(): uid for uid, user in data["users"].items()
            }
        if not self.policy_text:
            self.policy_text = "\n".join(
                path.read_text(encoding="utf-8") for path in sorted(ARTICLES_DIR.glob("*.md"))
            )
        self.policy_index = normalise(self.policy_text)

    def services(self, chat_model: BaseChatModel | None = None) -> Services:
        """Fresh services for one conversation: a private copy of the order store."""
        return Services(
            orders=self.orders.clone(),
            kb=self.kb,
            sentiment=VaderSentimentAnalyzer(),
            classifier=self.classifier,
            catalogue=self.catalogue,
            limits=turn_limits(self.settings),
            default_model=self.settings.model,
            default_tenant=self.settings.tenant,
            load_model=chat_model_loader(self.settings),
            chat_model=chat_model,
            model_plans=self.settings.model_plans,
        )


def export_orders(services: Services) -> dict[str, Any]:
    """The conversation's order store as τ-bench data (users, orders, products)."""
    data: dict[str, Any] = cast(Any, services.orders).export_tau()
    return data


def close_orders(services: Services) -> None:
    """Release the conversation's private order store."""
    close = getattr(services.orders, "close", None)
    if close is not None:
        close()


def build_backends(settings: Settings, catalogue_path: Path | None = None) -> EvalBackends:
    """Seed the demo store and help centre in memory and train (or load) the classifier.

    The user's own data folder is never read for orders or articles, so a run measures
    the shipped demo data however the local stores were used before; only the trained
    classifier is cached under `settings.cache_dir`.
    """
    orders = SqliteOrderStore()
    seed_store(orders)
    catalogue = load_catalogue(catalogue_path)
    return EvalBackends(
        orders=orders,
        kb=ensure_demo_kb(":memory:", settings.tenant),
        classifier=load_intent_classifier(settings, catalogue),
        catalogue=catalogue,
        settings=settings,
    )
