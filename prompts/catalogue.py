"""The intent catalogue: which intents exist, where each routes, and example phrasings.

The catalogue is data (``prompts/intents.yaml``), validated here with pydantic so a tenant
can bring its own file. The support graph routes on an intent's ``route`` and, for order
intents, on its ``action``; the local intent classifier trains on the ``examples``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

Route = Literal["orders", "knowledge", "handoff", "smalltalk", "out_of_scope"]
"""Where the support graph sends a message of a given intent."""

OrderAction = Literal[
    "cancel",
    "return",
    "exchange",
    "modify_address",
    "modify_payment",
    "modify_items",
    "modify_user_address",
]
"""The order operation an ``orders`` intent leads to (after explicit confirmation)."""

ROUTES: tuple[str, ...] = get_args(Route)
"""Every valid route name."""

ORDER_ACTIONS: tuple[str, ...] = get_args(OrderAction)
"""Every valid order action name."""

MIN_EXAMPLES = 12
"""Fewest examples an intent may have."""

DEFAULT_CATALOGUE_PATH = Path(__file__).with_name("intents.yaml")
"""The catalogue bundled with Tandem."""


class Intent(BaseModel):
    """One intent: its name, what it means, where it routes and how customers phrase it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable snake_case identifier.")
    description: str = Field(min_length=1, description="What the customer wants.")
    route: Route = Field(description="Where the support graph sends this intent.")
    action: OrderAction | None = Field(
        default=None, description="Order operation, only for intents routed to `orders`."
    )
    examples: list[str] = Field(
        min_length=MIN_EXAMPLES, description="Customer phrasings the classifier learns from."
    )

    @field_validator("examples")
    @classmethod
    def _clean_examples(cls, examples: list[str]) -> list[str]:
        cleaned = [" ".join(example.split()) for example in examples]
        if any(not example for example in cleaned):
            raise ValueError("examples must not be blank")
        seen: set[str] = set()
        for example in cleaned:
            key = example.casefold()
            if key in seen:
                raise ValueError(f"duplicate example: {example!r}")
            seen.add(key)
        return cleaned

    @model_validator(mode="after")
    def _action_only_on_orders(self) -> Intent:
        if self.action is not None and self.route != "orders":
            raise ValueError(f"intent {self.name!r}: an action is only allowed on route 'orders'")
        return self


class IntentCatalogue(BaseModel):
    """A versioned set of intents with unique names and non-overlapping examples."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = Field(description="Schema version of the catalogue file.")
    intents: list[Intent] = Field(min_length=2, description="The intents, in file order.")

    _source_fingerprint: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique(self) -> IntentCatalogue:
        names: set[str] = set()
        owner: dict[str, str] = {}
        for intent in self.intents:
            if intent.name in names:
                raise ValueError(f"duplicate intent name: {intent.name!r}")
            names.add(intent.name)
            for example in intent.examples:
                key = example.casefold()
                if key in owner and owner[key] != intent.name:
                    raise ValueError(
                        f"example {example!r} appears in both {owner[key]!r} and {intent.name!r}"
                    )
                owner[key] = intent.name
        return self

    @property
    def names(self) -> list[str]:
        """Intent names in catalogue order."""
        return [intent.name for intent in self.intents]

    def __contains__(self, name: object) -> bool:
        """Whether an intent of this name exists."""
        return any(intent.name == name for intent in self.intents)

    def get(self, name: str) -> Intent:
        """Return the intent called ``name``; raise ``KeyError`` if there is none."""
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)

    def route_of(self, name: str) -> Route:
        """Return the route of the intent called ``name``."""
        return self.get(name).route

    def action_of(self, name: str) -> OrderAction | None:
        """Return the order action of the intent called ``name`` (``None`` for look-ups)."""
        return self.get(name).action

    def by_route(self, route: Route) -> list[Intent]:
        """Return the intents that follow ``route``."""
        return [intent for intent in self.intents if intent.route == route]

    def training_data(self) -> tuple[list[str], list[str]]:
        """Return ``(texts, labels)``: every example paired with its intent name."""
        texts: list[str] = []
        labels: list[str] = []
        for intent in self.intents:
            texts.extend(intent.examples)
            labels.extend([intent.name] * len(intent.examples))
        return texts, labels

    @property
    def fingerprint(self) -> str:
        """Sha256 identifying this catalogue's content.

        For a catalogue read from a file this is the sha256 of the file's bytes (as
        :func:`catalogue_fingerprint` returns); for one built in memory it is the sha256 of
        its canonical JSON form.
        """
        if self._source_fingerprint is not None:
            return self._source_fingerprint
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _resolve(path: str | Path | None) -> Path:
    return DEFAULT_CATALOGUE_PATH if path is None else Path(path)


def catalogue_fingerprint(path: str | Path | None = None) -> str:
    """Return the sha256 hex digest of a catalogue file (the bundled one by default)."""
    return hashlib.sha256(_resolve(path).read_bytes()).hexdigest()


def parse_catalogue(text: str | bytes) -> IntentCatalogue:
    """Parse and validate catalogue YAML; the result's fingerprint is that of the bytes given."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise ValueError("an intent catalogue must be a YAML mapping")
    catalogue = IntentCatalogue.model_validate(data)
    catalogue._source_fingerprint = hashlib.sha256(raw).hexdigest()
    return catalogue


def load_catalogue(path: str | Path | None = None) -> IntentCatalogue:
    """Load and validate an intent catalogue (the bundled ``intents.yaml`` by default).

    Raises ``FileNotFoundError`` for a missing file and ``pydantic.ValidationError`` or
    ``ValueError`` for an invalid one.
    """
    return parse_catalogue(_resolve(path).read_bytes())
