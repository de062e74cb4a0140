"""The graph trusts the classifier's intent above the threshold the classifier fitted."""

from __future__ import annotations

from dataclasses import replace

from graphs.routing import decide_route
from graphs.services import FALLBACK_INTENT_THRESHOLD, Services
from tools.intent import IntentClassifier


def _state(intent: str, confidence: float) -> dict:
    return {"intent": intent, "intent_confidence": confidence, "failures": 0}


def test_default_threshold_is_the_classifiers_fitted_one(services: Services) -> None:
    fitted = services.classifier.rejection_threshold
    assert fitted is not None, "the demo catalogue has an out_of_scope intent"
    assert services.limits.intent_confidence_threshold is None
    assert services.intent_threshold() == fitted


def test_a_configured_threshold_wins(services: Services) -> None:
    services.limits = replace(services.limits, intent_confidence_threshold=0.83)
    assert services.intent_threshold() == 0.83


def test_without_an_out_of_scope_class_the_fallback_applies(services: Services) -> None:
    texts = ["where is my parcel", "track my package", "refund my money", "i want a refund"]
    labels = ["track", "track", "refund", "refund"]
    services.classifier = IntentClassifier("off").train(texts * 3, labels * 3)
    assert services.classifier.rejection_threshold is None
    assert services.intent_threshold() == FALLBACK_INTENT_THRESHOLD


def test_route_follows_the_fitted_threshold(services: Services) -> None:
    threshold = services.intent_threshold()
    just_below, at = max(threshold - 0.01, 0.0), threshold
    assert decide_route(_state("track_order", at), services, None)[0] == "orders"  # type: ignore[arg-type]
    services.limits = replace(services.limits, intent_confidence_threshold=threshold + 0.05)
    assert decide_route(_state("track_order", at), services, None)[0] == "clarify"  # type: ignore[arg-type]
    services.limits = replace(services.limits, intent_confidence_threshold=None)
    if threshold > 0:
        assert decide_route(_state("track_order", just_below), services, None)[0] == "clarify"  # type: ignore[arg-type]
