"""Backends for evaluation runs: pristine demo data, one private copy per conversation.

The support graph's nodes find their backends with `graphs.services.get_services()`,
which returns one process-wide object. To run conversations concurrently, each with its
own order store, a run installs a router there whose attributes resolve to the services
of the conversation running in the current context (`conversation_services`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from langchain_core.language_models import BaseChatModel

from config.settings import Settings
from evals.grounding import normalise
from graphs.services import Services, use_services
from prompts.catalogue import IntentCatalogue, load_catalogue
from tools.intent import IntentClassifier
from tools.knowledge.base import KnowledgeBase
from tools.knowledge.demo import ARTICLES_DIR, ensure_demo_kb
from tools.orders.seed import seed_store
from tools.orders.sqlite_store import SqliteOrderStore
from tools.sentiment import VaderSentimentAnalyzer


@dataclass
class EvalBackends:
    """Read-only templates shared by every conversation of a run."""

    orders: SqliteOrderStore
    kb: KnowledgeBase
    classifier: IntentClassifier
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
            settings=self.settings.model_copy(),
            chat_model=chat_model,
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
        classifier=IntentClassifier.load_or_train(catalogue, settings.cache_dir),
        catalogue=catalogue,
        settings=settings,
    )


_CURRENT: ContextVar[Services | None] = ContextVar("tandem_eval_services", default=None)


class _Router:
    """Stands in for `Services`; every attribute comes from the current conversation's."""

    def __getattr__(self, name: str) -> Any:
        current = _CURRENT.get()
        if current is None:
            raise RuntimeError("no evaluation conversation is active in this context")
        return getattr(current, name)


_ROUTER = cast(Services, _Router())
_install_lock = threading.Lock()
_installed: list[AbstractContextManager[Services]] = []
_users = 0


@contextmanager
def routed_services() -> Iterator[None]:
    """Install the router as the graph's services while any block using it runs.

    Reference-counted, so concurrent and nested users install it once and the previous
    services come back only when the last one leaves.
    """
    global _users
    with _install_lock:
        if _users == 0:
            installer = use_services(_ROUTER)
            installer.__enter__()
            _installed.append(installer)
        _users += 1
    try:
        yield
    finally:
        with _install_lock:
            _users -= 1
            if _users == 0:
                _installed.pop().__exit__(None, None, None)


@contextmanager
def conversation_services(services: Services) -> Iterator[Services]:
    """Make `services` the ones the graph sees in this context (thread) inside the block."""
    token = _CURRENT.set(services)
    try:
        with routed_services():
            yield services
    finally:
        _CURRENT.reset(token)
