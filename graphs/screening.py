"""Screening a customer's message before it is stored or sent to a model.

`screen` reads what the tools need out of the raw words — an identity offered (email, or
name + zip), resolved at once with the identity tools, and a postal address parsed into
the order tools' fields — and returns the text with personal data replaced by typed
placeholders (the services' `PiiRedactor`: offline detector, or Amazon Comprehend). The
name and zip a customer gave to identify themselves are replaced too (`[NAME]`, `[ZIP]`);
a zip code written for any other reason (a new address) is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphs.context import Context
from graphs.identity import identify, offers_identity
from graphs.order_slots import parse_address
from graphs.services import Services
from graphs.state import Customer, IdentityCheck
from tools.entities import extract_entities
from tools.pii import NAME_TAG, ZIP_TAG


@dataclass(frozen=True)
class Screened:
    """A message made safe to store: its redacted text and what the tools need from it."""

    text: str
    identity_check: IdentityCheck | None
    address: dict[str, str] | None


def _mask_identity(text: str, entities: dict[str, Any]) -> str:
    """Replace the name and zip code offered for identification."""
    first, last = entities.get("first_name"), entities.get("last_name")
    zips = entities.get("zip_codes") or []
    if not (first and last and zips):
        return text
    for name in (first, last):
        text = re.sub(rf"(?i)(?<![\w\[]){re.escape(name)}(?!\w)", NAME_TAG, text)
    for code in zips:
        text = re.sub(rf"(?<![\w#$]){re.escape(code)}(?:-\d{{4}})?(?!\d)", ZIP_TAG, text)
    return text


def screen(text: str, services: Services, context: Context, customer: Customer | None) -> Screened:
    """Redact `text`, resolving an identity it offers and parsing an address it holds."""
    entities = extract_entities(text).as_dict()
    check: IdentityCheck | None = None
    if offers_identity(entities):
        found, notice = identify(services, context, customer, entities)
        check = {"offered": True, "customer": found, "notice": notice}
    redacted = services.redactor.redact(text)
    if check is not None:
        redacted = _mask_identity(redacted, entities)
    return Screened(text=redacted, identity_check=check, address=parse_address(text))
