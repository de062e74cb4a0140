"""The engines the SageMaker serving container runs, built as the server builds them."""

from __future__ import annotations

from config.settings import get_settings
from prompts.catalogue import IntentCatalogue
from tools.intent import IntentClassifier
from tools.sentiment import SentimentAnalyzer
from wiring import backends


def serving_engines(catalogue: IntentCatalogue) -> tuple[IntentClassifier, SentimentAnalyzer]:
    """The in-process intent classifier and sentiment analyzer, from the settings."""
    settings = get_settings()
    return (
        backends.load_intent_classifier(settings, catalogue),
        backends.build_sentiment_analyzer(settings),
    )
