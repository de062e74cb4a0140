"""Understand: entities, identity, sentiment and intent of the latest message, then route."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.identity import identify, offers_identity
from graphs.intent_model import classify_with_model
from graphs.intents import action_of, intent_of_action, route_of
from graphs.memory_notes import newly_identified, note_identified
from graphs.messages import customer_words, last_customer_message
from graphs.order_slots import address_scope
from graphs.routing import decide_route, model_route, takes_fast_path
from graphs.services import Services
from graphs.state import Route, SentimentState, State
from tools.entities import detect_confirmation, extract_entities
from tools.language import ENGLISH
from tools.sentiment import sentiment_trend

_HISTORY = 20

LANGUAGE_KEEPS = ("empty", "to_human", "handoff", "confirm", "decline_action")
"""Routes a message in another language keeps offline (a person, or a yes or no)."""


def _merge_entities(known: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    merged = dict(known)
    for key, value in found.items():
        if value in (None, [], ""):
            continue
        merged[key] = value
    return merged


def _sentiment(services: Services, state: State, text: str) -> SentimentState:
    result = services.sentiment.analyze(text)
    previous = state.get("sentiment")
    history = [*(previous["history"] if previous else []), result.score][-_HISTORY:]
    return {
        "score": result.score,
        "label": result.label,
        "frustration": result.frustration,
        "cues": list(result.cues),
        "history": history,
        "trend": sentiment_trend(history),
    }


def understand(state: State, runtime: Runtime[Context], services: Services) -> dict[str, Any]:
    """Work out who is asking, what they want and how they feel; pick the route."""
    message = last_customer_message(state.get("messages", []))
    text = customer_words(message) if message else ""
    if not text:
        return {"route": "empty", "notice": "empty_message"}

    found = extract_entities(text).as_dict()
    entities = _merge_entities(state.get("entities") or {}, found)
    check = state.get("identity_check") or {"offered": False, "customer": None, "notice": None}
    current = state.get("customer") or check["customer"]
    customer, identity_notice = identify(services, runtime.context, current, found)
    identity_notice = identity_notice or check["notice"]
    order_ids = found.get("order_ids") or []
    active_order = order_ids[-1] if order_ids else state.get("active_order_id")

    prediction = services.classifier.predict(text)
    intent, confidence, source = prediction.intent, prediction.confidence, "classifier"
    threshold = services.intent_threshold()
    if confidence < threshold:
        mass = _route_mass(services, prediction.ranking, route_of(services.catalogue, intent))
        if mass >= threshold:
            confidence, source = mass, "classifier_route"
    planned = services.model_planned(runtime.context)
    if confidence < threshold and not planned:
        decided = classify_with_model(services, runtime.context, text, services.catalogue)
        if decided is not None:
            intent, confidence, source = decided, max(confidence, threshold), "model"

    scoped = _address_intent(services, intent, text, bool(state.get("offered_address")))
    if scoped is not None:
        intent, confidence, source = scoped, max(confidence, threshold), "rule"

    previous = state.get("intent")
    offered = check["offered"] or offers_identity(found)
    if previous and _continues_order_request(
        services, previous, intent, confidence, text, found, offered
    ):
        intent, confidence, source = previous, max(confidence, threshold), "carried"

    confirmation = detect_confirmation(text) if state.get("pending_action") else None
    sentiment = _sentiment(services, state, text)
    update: dict[str, Any] = {
        "entities": entities,
        "customer": customer,
        "active_order_id": active_order,
        "intent": intent,
        "intent_confidence": round(float(confidence), 4),
        "intent_source": source,
        "sentiment": sentiment,
        "language": services.language.detect(text),
        "notice": identity_notice,
        "welcome_back": False,
    }
    if customer is not None and newly_identified(state, customer):
        history = note_identified(runtime, services, customer)
        update["history"] = history
        update["welcome_back"] = history is not None
    merged: State = {**state, **update}  # type: ignore[typeddict-item]
    route, reason = decide_route(merged, services, confirmation)
    has_model = services.chat_model is not None or bool(services.model_name(runtime.context))
    if not has_model and update["language"] != ENGLISH and route not in LANGUAGE_KEEPS:
        route, reason = _other_language(state)  # state: the previous message's language
    update["planner"] = "rules"
    update["rule_route"] = None
    update["usage"] = None
    if planned and takes_fast_path(merged, services, route, intent, confidence):
        update["planner"] = "fast"
    elif planned:
        update["planner"] = "model"
        update["rule_route"] = route
        route, reason = model_route(route, reason)
    update["route"] = route
    update["failures"] = _failures(state, route)
    if reason:
        handoff = dict(state.get("handoff") or {"status": "none"})
        handoff["reason"] = reason
        update["handoff"] = handoff
    return update


def _other_language(state: State) -> tuple[Route, str | None]:
    """Offline route for a message in another language.

    The first says only English is supported and offers a person; an answer to that offer
    in the same language takes the person.
    """
    if state.get("language") not in (None, ENGLISH):
        return "handoff", "language"
    return "unsupported_language", None


def _address_intent(services: Services, intent: str, text: str, has_address: bool) -> str | None:
    """The address-change intent the wording settles, when it differs from the classifier's.

    "change the address on my account / my default address" changes the account's address
    even while an order is being discussed; "ship order X to ..." changes the order's.
    """
    scope = address_scope(text, has_address)
    action = action_of(services.catalogue, intent)
    if scope == "account" and action != "modify_user_address":
        return intent_of_action(services.catalogue, "modify_user_address")
    if scope == "order" and action == "modify_user_address":
        return intent_of_action(services.catalogue, "modify_address")
    return None


def _route_mass(services: Services, ranking: list[tuple[str, float]], route: str | None) -> float:
    """Probability mass of the top intents sharing `route`.

    "where are my orders?" splits between `order_details` and `track_order`; neither is
    confident alone, but both say the message is about orders.
    """
    if route is None or route == "out_of_scope":
        return 0.0
    return sum(p for name, p in ranking if route_of(services.catalogue, name) == route)


def _continues_order_request(
    services: Services,
    previous: str,
    intent: str,
    confidence: float,
    text: str,
    found: dict[str, Any],
    offered_identity: bool,
) -> bool:
    """True when the message only supplies details for the previous order request.

    "my email is ..." after "cancel my order" or a bare "#W1234567" after "which order?"
    should continue the cancellation, not start a new, different request.
    """
    catalogue = services.catalogue
    if route_of(catalogue, previous) != "orders":
        return False
    if route_of(catalogue, intent) == "orders" and action_of(catalogue, intent):
        return False
    bare_order_id = bool(found.get("order_ids")) and len(text.split()) <= 4
    return offered_identity or bare_order_id


def _failures(state: State, route: str) -> int:
    if route in ("clarify", "out_of_scope"):
        return int(state.get("failures") or 0) + 1
    if route in ("handoff", "to_human"):
        return int(state.get("failures") or 0)
    return 0
