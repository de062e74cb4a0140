"""Local intent classification: a fast model trained from the intent catalogue."""

from tools.intent.classifier import IntentClassifier, IntentPrediction
from tools.intent.normalise import normalise_text

__all__ = ["IntentClassifier", "IntentPrediction", "normalise_text"]
