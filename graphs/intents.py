"""Look up an intent's route and order action in the catalogue, tolerating unknown names."""

from __future__ import annotations

from prompts.catalogue import IntentCatalogue


def route_of(catalogue: IntentCatalogue, name: str | None) -> str | None:
    """The route of intent `name`, or None when the catalogue has no such intent."""
    if not name or name not in catalogue:
        return None
    return catalogue.route_of(name)


def action_of(catalogue: IntentCatalogue, name: str | None) -> str | None:
    """The order action of intent `name` (e.g. `cancel`), or None for look-ups and others."""
    if not name or name not in catalogue:
        return None
    return catalogue.get(name).action


def intent_of_action(catalogue: IntentCatalogue, action: str) -> str | None:
    """The first intent whose order action is `action`, or None when none has it."""
    return next((i.name for i in catalogue.intents if i.action == action), None)
