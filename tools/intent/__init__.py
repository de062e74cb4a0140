"""Local intent classification: a fast model trained from the intent catalogue."""

from tools.intent.classifier import IntentClassifier, IntentPrediction, engine_name
from tools.intent.normalise import encoder_text, normalise_text

__all__ = ["IntentClassifier", "IntentPrediction", "encoder_text", "engine_name", "normalise_text"]
