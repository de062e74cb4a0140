"""Intent from a chat model with structured output, when the local classifier is unsure."""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, Field, create_model

from graphs.context import Context
from graphs.drafting.llm import STORE_NAME
from graphs.services import Services
from prompts.catalogue import IntentCatalogue
from prompts.templates import load_template

logger = logging.getLogger("tandem.intent")


def _schema(names: list[str]) -> type[BaseModel]:
    return create_model(
        "IntentDecision",
        intent=(Literal[tuple(names)], Field(description="The single best intent.")),  # type: ignore[valid-type,arg-type]
    )


def classify_with_model(
    services: Services, context: Context, text: str, catalogue: IntentCatalogue
) -> str | None:
    """Ask the configured model for the intent; None when no model is configured or it fails."""
    model = services.chat_model_for(context)
    if model is None:
        return None
    names = [intent.name for intent in catalogue.intents]
    listing = "\n".join(f"- {i.name}: {i.description}" for i in catalogue.intents)
    system = load_template("intent_system").format(store_name=STORE_NAME, intents=listing)
    try:
        structured = model.with_structured_output(_schema(names))
        decision = structured.invoke(
            [("system", system), ("human", text)], config={"tags": ["nostream"]}
        )
    except Exception as error:  # the local classifier's answer stands when the model fails
        logger.warning("model intent classification failed: %s", error)
        return None
    intent = getattr(decision, "intent", None)
    return intent if intent in names else None
