"""The offline PII detector: typed spans and placeholders for customer messages.

`find_pii` returns the personal data in a text as non-overlapping `PiiSpan`s and `redact`
replaces each with a typed placeholder (`[CARD ••4242]`, `[CVV]`, `[SSN]`, `[EMAIL]`,
`[PHONE]`, `[IBAN]`, `[DOB]`, `[ADDRESS]`). Checksums and libraries made for the job
decide the ambiguous cases: the Luhn check for card numbers, ``schwifty`` for IBANs (the
ISO 13616 check digits and each country's length), Google's ``phonenumbers`` for phone
numbers in any national or international format.

What the order tools need is kept: order ids (``#W1234567``), ten-digit item ids,
payment-method ids (``credit_card_123``), amounts and zip codes. A ten-digit number is a
phone number only when the words before it say so ("call me at ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

PII_KINDS = ("EMAIL", "IBAN", "CARD", "SSN", "CVV", "DOB", "PHONE", "ADDRESS")
"""Every kind `find_pii` reports, in the order its detectors claim text."""

DEFAULT_REGION = "US"
"""Region assumed for phone numbers written without a country code."""


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data: its kind, where it is, and what replaces it."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def placeholder(self) -> str:
        """The typed placeholder (a card keeps its last four digits)."""
        if self.kind == "CARD":
            last_four = re.sub(r"\D", "", self.text)[-4:]
            return f"[CARD ••{last_four}]"
        return f"[{self.kind}]"


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"(?<![\w#])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}")
_CARD_RUN = re.compile(r"(?<![\w#$.,/-])\d(?:[ -]?\d){12,}(?![\w/]|[.,]\d|-\d)")
_CVV = re.compile(
    r"(?i)\b(?:cvv2?|cvc2?|csc|cid|card\s+verification(?:\s+(?:code|value))?"
    r"|(?<!social\s)security\s+(?:code|number)|3[- ]digit\s+code|code\s+on\s+the\s+back)\b"
    r"[^\d\n]{0,20}?(?<!\d)(\d{3,4})(?!\d)"
)
_SSN = re.compile(r"(?<![\w#$.,/-])(\d{3})([ .-]*)(\d{2})\2(\d{4})(?![\w/-]|[.,]\d)")
_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssn|social(?:\s+security)?(?:\s+(?:number|no\.?|#))?)\b")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{4}})"
)
_DOB = re.compile(
    r"(?i)\b(?:born(?:\s+on)?|date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date|birthday)\b"
    rf"[^\d\n]{{0,25}}?({_DATE})(?![\w/])"
)
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:phone|call|cell|mobile|tel|text|whatsapp|reach\s+me|number\s+is|contact)\b"
    r"[^\d\n]{0,25}$"
)
_ID_CONTEXT = re.compile(r"(?i)\b(?:items?|products?|orders?|ids?|sku|tracking|and)\b\W*$")
_STREET_SUFFIX = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|crescent|cres"
    r"|alley|row|plaza|close|walk|loop"
)
_ADDRESS = re.compile(
    r"(?i)(?<![\w#$.,-])\d{1,6}[a-z]?\s+((?:[a-z][a-z.'-]*|\d+(?:st|nd|rd|th))\s+"
    r"(?:[a-z0-9.'-]+\s+){0,3}?)(?:" + _STREET_SUFFIX + r")\b\.?"
    r"(?:,?\s*(?:apt|apartment|suite|ste|unit|floor|fl|#)\.?\s*#?\s*[a-z0-9-]+)?"
)
_UNIT = re.compile(r"(?i)\b(?:apt|apartment|suite|ste)\.?\s*#?\s*\d+[a-z]?\b")
_PO_BOX = re.compile(r"(?i)\bp\.?\s?o\.?\s+box\s+\d+\b")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOT_STREET_WORDS = _word_set(
    """
    the a an my your our their his her its on in of for to it is was and or by at from
    with items item orders order days weeks months times pairs pieces units dollars
    bucks minutes hours years people way all
    """
)
_KEPT = re.compile(r"#?W\d{7}|(?:credit_card|paypal|gift_card)_\d+", re.IGNORECASE)
"""Identifiers the order tools need, never part of a span."""


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _emails(text: str) -> Iterator[PiiSpan]:
    for match in _EMAIL.finditer(text):
        yield PiiSpan("EMAIL", match.start(), match.end(), match.group(0))


def _ibans(text: str) -> Iterator[PiiSpan]:
    for match in _IBAN.finditer(text):
        raw = match.group(0)
        # The pattern may run into a following word or number: try shorter candidates.
        while len(raw) >= 15:
            try:
                IBAN(raw)
            except SchwiftyException:
                raw = raw[:-1].rstrip()
                continue
            yield PiiSpan("IBAN", match.start(), match.start() + len(raw), raw)
            break


def _card_in(groups: list[re.Match[str]], luhn: bool = True) -> tuple[int, int] | None:
    """The longest run of consecutive digit groups that is a card number, if any.

    With `luhn`, the run must pass the Luhn check; without, it must be four groups of
    four (a card number with a typo is still a card number).
    """
    best: tuple[int, int] | None = None
    for first in range(len(groups)):
        for last in range(len(groups), first, -1):
            run = groups[first:last]
            digits = "".join(group.group(0) for group in run)
            # Card numbers are written whole or in groups of up to six: a ten-digit item
            # id next to other digits is not a card.
            if len(run) > 1 and max(len(group.group(0)) for group in run) > 6:
                continue
            if luhn:
                valid = 13 <= len(digits) <= 19 and luhn_valid(digits)
            else:
                valid = len(run) == 4 and all(len(group.group(0)) == 4 for group in run)
            if valid:
                span = (run[0].start(), run[-1].end())
                if best is None or span[1] - span[0] > best[1] - best[0]:
                    best = span
                break
    return best


def _cards(text: str) -> Iterator[PiiSpan]:
    for match in _CARD_RUN.finditer(text):
        groups = list(re.finditer(r"\d+", match.group(0)))
        found = _card_in(groups) or _card_in(groups, luhn=False)
        if found is not None:
            start, end = match.start() + found[0], match.start() + found[1]
            yield PiiSpan("CARD", start, end, text[start:end])


def _cvvs(text: str) -> Iterator[PiiSpan]:
    for match in _CVV.finditer(text):
        yield PiiSpan("CVV", match.start(1), match.end(1), match.group(1))


def _ssn_plausible(area: str, group: str, serial: str) -> bool:
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _ssns(text: str) -> Iterator[PiiSpan]:
    for match in _SSN.finditer(text):
        area, separator, group, serial = match.groups()
        before = text[max(0, match.start() - 40) : match.start()]
        in_context = _SSN_CONTEXT.search(before) is not None
        if not in_context and (
            not _ssn_plausible(area, group, serial)
            or (not separator and _PHONE_CONTEXT.search(before))
        ):
            continue
        yield PiiSpan("SSN", match.start(), match.end(), match.group(0))


def _dobs(text: str) -> Iterator[PiiSpan]:
    for match in _DOB.finditer(text):
        yield PiiSpan("DOB", match.start(1), match.end(1), match.group(1))


def _phones(text: str) -> Iterator[PiiSpan]:
    matcher = phonenumbers.PhoneNumberMatcher(
        text, DEFAULT_REGION, leniency=phonenumbers.Leniency.POSSIBLE
    )
    for match in matcher:
        raw = match.raw_string
        before = text[max(0, match.start - 40) : match.start]
        digits = re.sub(r"\D", "", raw)
        if raw.isdigit() and (not _PHONE_CONTEXT.search(before) or _ID_CONTEXT.search(before)):
            continue  # a bare digit run: an item id, an amount, a quantity
        if len(digits) < 10 and not (raw.startswith("+") or _PHONE_CONTEXT.search(before)):
            continue
        if text[max(0, match.start - 1) : match.start] in ("$", "#", "€", "£"):
            continue
        yield PiiSpan("PHONE", match.start, match.end, raw)


def _addresses(text: str) -> Iterator[PiiSpan]:
    position = 0
    while match := _ADDRESS.search(text, position):
        words = match.group(1).lower().split()
        # A word closing a sentence ("please.") means the number belongs to the one before.
        ends_sentence = any(word.endswith(".") and len(word) > 3 for word in words)
        if ends_sentence or any(word.strip(".,'") in _NOT_STREET_WORDS for word in words):
            position = match.start() + 1  # a later number may start the real address
            continue
        yield PiiSpan("ADDRESS", match.start(), match.end(), match.group(0))
        position = match.end()
    for pattern in (_PO_BOX, _UNIT):
        for found in pattern.finditer(text):
            yield PiiSpan("ADDRESS", found.start(), found.end(), found.group(0))


_DETECTORS: tuple[Callable[[str], Iterator[PiiSpan]], ...] = (
    _emails,
    _ibans,
    _cards,
    _ssns,
    _cvvs,
    _dobs,
    _phones,
    _addresses,
)


def _overlaps(span: PiiSpan, taken: list[tuple[int, int]]) -> bool:
    return any(span.start < end and start < span.end for start, end in taken)


def find_pii(text: str) -> list[PiiSpan]:
    """The personal data in `text`, as non-overlapping spans sorted by position.

    Detectors run in the order of `PII_KINDS`; a span overlapping text an earlier one
    claimed, or a kept identifier (order id, payment-method id), is dropped.
    """
    taken = [(m.start(), m.end()) for m in _KEPT.finditer(text)]
    spans: list[PiiSpan] = []
    for detector in _DETECTORS:
        for span in detector(text):
            if not _overlaps(span, taken):
                spans.append(span)
                taken.append((span.start, span.end))
    return sorted(spans, key=lambda span: span.start)


def replace_spans(text: str, spans: list[PiiSpan]) -> str:
    """`text` with each of the (non-overlapping) `spans` replaced by its placeholder."""
    parts: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < position:
            continue
        parts.append(text[position : span.start])
        parts.append(span.placeholder)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def redact(text: str) -> str:
    """`text` with every span `find_pii` reports replaced by its typed placeholder."""
    return replace_spans(text, find_pii(text))
