"""PII redaction for logs, and prompt-injection heuristics for inbound messages.

``redact`` masks what should never reach a log line — emails, phone numbers, card numbers,
street addresses and zip codes — while keeping the identifiers support staff need to read a
transcript (order ids such as ``#W1234567``, ten-digit item ids, payment-method ids).
``injection_flags`` names the prompt-injection patterns a message shows, so the guard node
can record them and the drafter can treat the text strictly as data.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

EMAIL_TAG = "[EMAIL]"
"""Replacement for an email address."""
PHONE_TAG = "[PHONE]"
"""Replacement for a phone number."""
CARD_TAG = "[CARD]"
"""Replacement for a payment card number."""
ADDRESS_TAG = "[ADDRESS]"
"""Replacement for a street address."""
ZIP_TAG = "[ZIP]"
"""Replacement for a zip code."""

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(
    r"(?<![\w-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})(?![\w-])"
)
_GROUPED_CARD = re.compile(r"^\d{4}([ -])\d{4}\1\d{4}\1\d{4}$")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}"
    r"|(?:1[\s.-])?\(\d{3}\)\s?\d{3}[\s.-]\d{4}"
    r"|(?:1[\s.-])?\d{3}[\s.-]\d{3}[\s.-]\d{4}"
    r")(?!\w)"
)
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:phone|call|cell|mobile|tel|text|whatsapp|reach me)\b[^\d\n]{0,20}"
    r"(?<![\w#])(\d{10}|\d{3}[\s.-]\d{4})(?!\w)"
)
_STREET_SUFFIX = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|crescent|cres"
    r"|alley|row|plaza|close|walk|loop"
)
_ADDRESS = re.compile(
    r"(?i)(?<![\w#$.,-])\d{1,6}[a-z]?\s+((?:[a-z0-9.'-]+\s+){1,4}?)(?:" + _STREET_SUFFIX + r")\b\.?"
    r"(?:,?\s*(?:apt|apartment|suite|ste|unit|floor|fl|#)\.?\s*[a-z0-9-]+)?"
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
_ZIP = re.compile(r"(?<![\w#$€£.,-])\d{5}(?:-\d{4})?(?![\w-]|[.,]\d)")

_INJECTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE | re.MULTILINE))
    for name, pattern in (
        (
            "ignore_instructions",
            r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|the\s+|your\s+"
            r"|these\s+|those\s+|of\s+)*(?:previous|prior|above|earlier|preceding|original"
            r"|existing|system|initial|safety)?\s*(?:instructions?|rules|prompts?|directions"
            r"|guidelines|directives|policies|policy|constraints|guardrails)\b"
            r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:of\s+)?(?:the\s+)?"
            r"(?:above|preceding)\b",
        ),
        (
            "role_override",
            r"\b(?:you\s+are\s+now|you'?re\s+now|from\s+now\s+on,?\s+you|you\s+are\s+no\s+longer"
            r"|act\s+as\s+(?:if|an?|my|the)\b|pretend\s+(?:to\s+be|you\s+are|you'?re)"
            r"|role-?\s?play\s+as|new\s+persona|switch\s+(?:to|into)\s+\w+\s+mode)",
        ),
        (
            "system_prompt_probe",
            r"\b(?:system\s+(?:prompt|message|instructions?)|(?:reveal|show|print|repeat|output"
            r"|display|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:initial\s+|hidden\s+|original\s+)?"
            r"(?:prompt|instructions|rules|guidelines)|(?:initial|hidden|original)\s+prompt"
            r"|what\s+(?:were|are)\s+you\s+(?:told|instructed))\b",
        ),
        (
            "developer_mode",
            r"\b(?:developer\s+mode|dev\s+mode|debug\s+mode|god\s+mode|sudo\s+mode|admin\s+mode"
            r"|jailbreak\w*|jail\s+break|do\s+anything\s+now|(?-i:\bDAN\b)|unfiltered\s+mode"
            r"|unrestricted\s+mode|(?:respond|answer|reply|act|behave|talk|speak|operate)\s+"
            r"(?:\w+\s+){0,2}(?:without|with\s+no)\s+(?:any\s+)?(?:restrictions|filters|limits"
            r"|rules|censorship))",
        ),
        (
            "fake_markup",
            r"</?\s*(?:system|assistant|user|human|instructions?|prompt|context|tool)\s*>"
            r"|<\|\s*(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\s*\|>"
            r"|\[/?(?:INST|SYS|SYSTEM)\]|<<\s*/?SYS\s*>>|^\s*#{2,}\s*(?:system|instruction)"
            r"|^\s*(?:system|assistant)\s*:",
        ),
        (
            "authority_claim",
            r"\b(?:i\s+am|i'?m|this\s+is)\s+(?:the\s+|an?\s+|your\s+)?(?:admin(?:istrator)?"
            r"|developer|system\s+administrator|openai|anthropic|ceo)\b(?!\s+of\s+(?:a|my))"
            r"|\bauthori[sz]ed\s+(?:override|by\s+(?:the\s+)?admin)",
        ),
        (
            "policy_bypass",
            r"\b(?:skip|bypass|without)\s+(?:the\s+)?(?:verification|authentication|confirmation"
            r"|identity\s+check|security\s+check)|\b(?:refund|cancel|approve)\s+(?:it\s+|this\s+|"
            r"everything\s+)?(?:without|no\s+matter)\s+(?:the\s+)?(?:policy|rules|checking)",
        ),
    )
)
_ENCODED = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{60,}={0,2}(?![A-Za-z0-9+/])")

INJECTION_FLAGS: tuple[str, ...] = (
    *(name for name, _ in _INJECTION_PATTERNS),
    "encoded_payload",
)
"""Every flag :func:`injection_flags` can return, in the order it reports them."""


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if 13 <= len(digits) <= 19 and (_luhn_valid(digits) or _GROUPED_CARD.match(raw)):
        return CARD_TAG
    return raw


def _address(match: re.Match[str]) -> str:
    words = match.group(1).lower().split()
    if any(word.strip(".,'") in _NOT_STREET_WORDS for word in words):
        return match.group(0)
    return ADDRESS_TAG


def redact(text: str) -> str:
    """Return ``text`` with emails, phones, cards, street addresses and zip codes masked.

    Card numbers are digit runs of 13-19 (optionally grouped with spaces or dashes) that
    pass the Luhn check, or any 4-4-4-4 grouping. Order ids, ten-digit item ids and
    payment-method ids are left as they are.
    """
    text = _EMAIL.sub(EMAIL_TAG, text)
    text = _CARD.sub(_card, text)
    text = _PHONE.sub(PHONE_TAG, text)
    text = _PHONE_CONTEXT.sub(lambda m: m.group(0).replace(m.group(1), PHONE_TAG), text)
    text = _PO_BOX.sub(ADDRESS_TAG, text)
    text = _ADDRESS.sub(_address, text)
    text = _UNIT.sub(ADDRESS_TAG, text)
    return _ZIP.sub(ZIP_TAG, text)


def injection_flags(text: str) -> list[str]:
    """Return the names of the prompt-injection heuristics ``text`` trips, or ``[]``.

    Possible flags are listed in :data:`INJECTION_FLAGS`. A flag is a signal, not a
    verdict: callers log it and keep the message in the data channel of the prompt.
    """
    flags = [name for name, pattern in _INJECTION_PATTERNS if pattern.search(text)]
    if _ENCODED.search(text):
        flags.append("encoded_payload")
    return flags


@runtime_checkable
class PiiRedactor(Protocol):
    """Anything that masks personal data in a text before it is logged."""

    def redact(self, text: str) -> str:
        """Return `text` with personal data masked."""
        ...


class PatternPiiRedactor:
    """The offline redactor: the regular expressions of this module."""

    def redact(self, text: str) -> str:
        """Return `text` with emails, phones, cards, addresses and zip codes masked."""
        return redact(text)
