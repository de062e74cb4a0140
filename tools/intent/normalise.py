"""Text normalisation for the intent classifier.

Identifiers carry no intent, so they are replaced with placeholder tokens: ``#W1234567`` and
``#W7654321`` (or an email, a payment-method id, an amount) look alike to the model.
"""

from __future__ import annotations

import re
import unicodedata

ORDER_TOKEN = "xxorder"
"""Placeholder for an order id."""
EMAIL_TOKEN = "xxemail"
"""Placeholder for an email address."""
PAYMENT_TOKEN = "xxpayment"
"""Placeholder for a payment-method id such as ``credit_card_4190576``."""
ITEM_TOKEN = "xxitem"
"""Placeholder for a 10-digit item or product id."""
MONEY_TOKEN = "xxmoney"
"""Placeholder for an amount of money."""
NUMBER_TOKEN = "xxnum"
"""Placeholder for any other number."""

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})

_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), f" {EMAIL_TOKEN} "),
    (re.compile(r"\b(?:credit_card|paypal|gift_card)_\d+\b"), f" {PAYMENT_TOKEN} "),
    (re.compile(r"(?<![a-z0-9])#?\s?w\s?-?\d{7}(?!\d)"), f" {ORDER_TOKEN} "),
    (
        re.compile(r"(?<=order)(\s*(?:number|no\.?|num|id)?\s*[:#]?\s*)\d{7}(?!\d)"),
        rf"\1 {ORDER_TOKEN} ",
    ),
    (re.compile(r"#\d{7}(?!\d)"), f" {ORDER_TOKEN} "),
    (re.compile(r"(?<!\d)\d{10}(?!\d)"), f" {ITEM_TOKEN} "),
    (
        re.compile(r"[$€£]\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|usd|bucks)\b"),
        f" {MONEY_TOKEN} ",
    ),
    (re.compile(r"\d+(?:[.,]\d+)*"), f" {NUMBER_TOKEN} "),
)
_REPEATS = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lowercase ``text``, unify quotes, squeeze repeated letters and mask identifiers."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    for pattern, replacement in _SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


_ENCODER_WORDS: dict[str, str] = {
    ORDER_TOKEN: "order number",
    EMAIL_TOKEN: "email address",
    PAYMENT_TOKEN: "payment method",
    ITEM_TOKEN: "item number",
    MONEY_TOKEN: "amount",
    NUMBER_TOKEN: "number",
}
_PLACEHOLDERS = re.compile(r"\b(?:" + "|".join(_ENCODER_WORDS) + r")\b")


def encoder_text(normalised: str) -> str:
    """Spell a normalised text's placeholders as plain words a sentence encoder knows."""
    return _PLACEHOLDERS.sub(lambda match: _ENCODER_WORDS[match.group(0)], normalised)
