"""The dependencies of the support graph's nodes, handed to the graph when it is built.

The composition root (`wiring/`) builds one `Services` from the settings and passes it to
`graphs.support.build`; every node receives it from there, never from a module global. Two
graphs built with two `Services` run side by side in one process (evaluation runs give each
conversation a private order store this way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from graphs.audit import AuditSink, NoAudit
from graphs.context import Context
from prompts.catalogue import IntentCatalogue
from tools.knowledge.base import KnowledgeBase
from tools.language import LanguageDetector
from tools.orders.store import OrderStore
from tools.pii import PatternPiiRedactor, PiiRedactor
from tools.sentiment import SentimentAnalyzer
from tools.understanding_endpoint import IntentEngine

FALLBACK_INTENT_THRESHOLD = 0.45
"""The confidence threshold of a classifier trained without an out-of-scope class."""

ModelLoader = Callable[[str], BaseChatModel]
"""Builds a chat model from an `init_chat_model` string (region, endpoint, retries bound)."""


@dataclass(frozen=True)
class TurnLimits:
    """The policy numbers a turn obeys (from settings, through the composition root)."""

    max_message_chars: int = 4000
    """Inbound messages are cut to this length."""
    intent_confidence_threshold: float | None = None
    """Below it the classifier's intent is not trusted (the model, or a clarifying question);
    None: the classifier's own out-of-scope threshold, fitted out of fold on its training
    data (:data:`FALLBACK_INTENT_THRESHOLD` when it has none)."""
    handoff_sentiment_threshold: float = -0.6
    """A message at least this negative goes to a person."""
    refund_limit: float = 1000.0
    """Returns refunding more than this go to a person."""
    max_tool_steps: int = 4
    """Bound on the model's tool loop in one turn."""
    model_turn_seconds: float = 90.0
    """Time a model-planned turn may take before the rules serve it instead."""
    fast_path_confidence: float | None = None
    """With a model planning, a look-up (order status, a help-centre question, small talk)
    classified at least this confidently is served by the rules without a model call;
    None: every turn goes to the model."""
    prompt_cache: bool = True
    """Ask the provider to cache the planner's system prompt and tool definitions (Bedrock)."""


def _no_model(name: str) -> BaseChatModel:
    raise RuntimeError(f"no chat model loader is configured (asked for {name!r})")


@dataclass
class Services:
    """Everything a node needs besides state and context."""

    orders: OrderStore
    kb: KnowledgeBase
    sentiment: SentimentAnalyzer
    classifier: IntentEngine
    """The in-process `IntentClassifier`, or a SageMaker endpoint serving it."""
    catalogue: IntentCatalogue
    limits: TurnLimits = field(default_factory=TurnLimits)
    redactor: PiiRedactor = field(default_factory=PatternPiiRedactor)
    """Masks personal data before a message is logged."""
    default_model: str = ""
    """The deployment's chat model, used when a run's context names none; empty: no model."""
    default_tenant: str = "demo"
    """The tenant a run serves when its context names none."""
    load_model: ModelLoader = _no_model
    """Turns a model name into a chat model."""
    chat_model: BaseChatModel | None = None
    """A ready chat model that overrides every model name (scripted fakes in tests)."""
    model_plans: bool = True
    """With a chat model: True, the model plans the turn with the retail tools under the
    policy gate; False, the rules plan it and the model only words the reply."""
    audit: AuditSink = field(default_factory=NoAudit)
    """Where the order actions the customer confirmed are recorded."""
    language: LanguageDetector = field(default_factory=LanguageDetector)
    """Tells which language each customer message is in."""

    def intent_threshold(self) -> float:
        """The confidence below which the classifier's intent is not trusted.

        The configured threshold when one is set, else the threshold the classifier fitted
        on its out-of-fold predictions (the one that rejects the most out-of-scope messages
        for at most a point of in-scope accuracy).
        """
        configured = self.limits.intent_confidence_threshold
        if configured is not None:
            return configured
        fitted = self.classifier.rejection_threshold
        return FALLBACK_INTENT_THRESHOLD if fitted is None else fitted

    def model_name(self, context: Context) -> str:
        """The model this run drafts with: the context's, else the deployment's ("" = none)."""
        return self.default_model if context.model is None else context.model

    def tenant(self, context: Context) -> str:
        """The tenant this run serves."""
        return context.tenant or self.default_tenant

    def model_planned(self, context: Context) -> bool:
        """Whether the model plans this run's turns (without loading the model)."""
        has_model = self.chat_model is not None or bool(self.model_name(context))
        return self.model_plans and has_model

    def chat_model_for(self, context: Context) -> BaseChatModel | None:
        """The chat model for this run, or None for the grounded drafter."""
        if self.chat_model is not None:
            return self.chat_model
        name = self.model_name(context)
        return self.load_model(name) if name else None
