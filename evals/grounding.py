"""Find checkable claims in a reply and decide whether the evidence supports them.

Data claims (amounts, order ids, long numbers such as tracking or item ids, emails,
dates) must be supported by what the conversation has seen: tool results, retrieved
passages, the pending action or the customer's own words. Policy claims (durations,
percentages) may also be supported by the store's help centre. Amounts are compared by
value, so "$1,682.47" is supported by `1682.47` in a tool result, and by the total of an
order's item prices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from evals.records import Claim

_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")
_ORDER_ID = re.compile(r"#W\d{7}\b")
_LONG_NUMBER = re.compile(r"(?<![\w.$#,])\d{6,}(?![\w.,]\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DURATION = re.compile(
    r"\b\d+(?:\s*(?:to|-|–|—|or)\s*\d+)?\s+(?:business\s+|working\s+|calendar\s+)?"
    r"(?:days?|hours?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?%")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_RANGE_DASH = re.compile(r"(\d)\s*(?:-|–|—)\s*(\d)")

DATA_KINDS = ("money", "order_id", "number", "email", "date")
POLICY_KINDS = ("duration", "percent")


def normalise(text: str) -> str:
    """Lower-case, unify range dashes ("5–7" → "5 to 7") and collapse blanks."""
    text = _RANGE_DASH.sub(r"\1 to \2", text.lower())
    return " ".join(text.split())


def _amount(text: str) -> float | None:
    try:
        return round(float(text.replace(",", "")), 2)
    except ValueError:
        return None


def _walk_numbers(value: Any, into: set[float]) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        into.add(round(float(value), 2))
    elif isinstance(value, str):
        for match in _NUMBER.findall(value):
            amount = _amount(match)
            if amount is not None:
                into.add(amount)
    elif isinstance(value, dict):
        items = value.get("items")
        if isinstance(items, list):
            prices = [
                float(i["price"])
                for i in items
                if isinstance(i, dict) and isinstance(i.get("price"), int | float)
            ]
            if prices and len(prices) == len(items):
                into.add(round(sum(prices), 2))
        for item in value.values():
            _walk_numbers(item, into)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk_numbers(item, into)


@dataclass
class Evidence:
    """What a conversation has seen so far, as searchable text and a set of amounts."""

    text: str = ""
    amounts: set[float] = field(default_factory=set)
    policy: str = ""

    def add(self, value: Any) -> None:
        """Add a tool output, a passage, a message (any JSON-like value)."""
        rendered = value if isinstance(value, str) else json.dumps(value, default=str)
        self.text += "\n" + normalise(rendered)
        _walk_numbers(value, self.amounts)

    def supports(self, fact: str, policy: bool = False) -> bool:
        """Whether `fact` (an amount or a phrase) is in the evidence (or the policy)."""
        money = _MONEY.fullmatch(fact.strip())
        if money:
            amount = _amount(money.group(1))
            return amount is not None and any(abs(amount - a) < 0.005 for a in self.amounts)
        needle = normalise(fact)
        return needle in self.text or (policy and needle in self.policy)


def extract_claims(reply: str) -> list[tuple[str, str]]:
    """The `(kind, text)` claims found in a reply, in order, without duplicates."""
    found: list[tuple[str, str]] = []
    without_emails = _EMAIL.sub(" ", reply)
    patterns = (
        ("money", _MONEY, without_emails),
        ("order_id", _ORDER_ID, without_emails),
        ("number", _LONG_NUMBER, _ORDER_ID.sub(" ", without_emails)),
        ("email", _EMAIL, reply),
        ("date", _DATE, without_emails),
        ("duration", _DURATION, without_emails),
        ("percent", _PERCENT, without_emails),
    )
    for kind, pattern, text in patterns:
        for match in pattern.finditer(text):
            claim = (kind, match.group(0).strip())
            if claim not in found:
                found.append(claim)
    return found


def check_claims(reply: str, evidence: Evidence) -> list[Claim]:
    """Every claim of `reply` with whether `evidence` supports it."""
    return [
        Claim(kind=kind, text=text, grounded=evidence.supports(text, policy=kind in POLICY_KINDS))
        for kind, text in extract_claims(reply)
    ]


def mentioned(pattern: re.Pattern[str], texts: Iterable[str]) -> set[str]:
    """Every match of `pattern` in `texts` (lower-cased for emails)."""
    return {m.group(0).lower() for text in texts for m in pattern.finditer(text)}


ORDER_ID_PATTERN = _ORDER_ID
EMAIL_PATTERN = _EMAIL
