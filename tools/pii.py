"""PII redaction for messages and logs, and prompt-injection heuristics for inbound messages.

``redact`` replaces what must never be stored, logged or sent to a model — card numbers,
CVVs, SSNs, phone numbers, emails, IBANs, dates of birth, street addresses — by typed
placeholders (`tools.pii_detect`), keeping the identifiers support staff and the order
tools need (order ids such as ``#W1234567``, ten-digit item ids, payment-method ids,
amounts, zip codes). `PiiRedactor` is the interface the graph's guard node redacts through.
``injection_flags`` names the prompt-injection patterns a message shows, so the guard node
can record them and the drafter can treat the text strictly as data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol, runtime_checkable

from tools import pii_detect

EMAIL_TAG = "[EMAIL]"
"""Replacement for an email address."""
PHONE_TAG = "[PHONE]"
"""Replacement for a phone number."""
ADDRESS_TAG = "[ADDRESS]"
"""Replacement for a street address."""
NAME_TAG = "[NAME]"
"""Replacement for a name the customer gave to identify themselves."""
ZIP_TAG = "[ZIP]"
"""Replacement for a zip code the customer gave to identify themselves."""

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


def redact(text: str) -> str:
    """Return ``text`` with its personal data replaced by typed placeholders.

    Cards, CVVs, SSNs, phones, emails, IBANs, dates of birth and street addresses are
    found by `tools.pii_detect`. Order ids, ten-digit item ids, payment-method ids,
    amounts and zip codes are kept.
    """
    return pii_detect.redact(text)


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
    """Anything that masks personal data before a text is stored, logged or sent to a model."""

    def redact(self, text: str) -> str:
        """Return `text` with personal data masked."""
        ...


class CachingRedactor:
    """A redactor that remembers its latest answers.

    One message is redacted by the turn runner (the echoed message) and again by the graph's
    guard; a remote detector (Comprehend) is asked once.
    """

    def __init__(self, inner: PiiRedactor, size: int = 1024) -> None:
        self.inner = inner
        self._redact = lru_cache(maxsize=size)(inner.redact)

    def redact(self, text: str) -> str:
        """Return `text` with personal data masked, as `inner` masks it."""
        return self._redact(text)


class PatternPiiRedactor:
    """The offline redactor: the detector of `tools.pii_detect`."""

    def redact(self, text: str) -> str:
        """Return `text` with personal data replaced by typed placeholders."""
        return redact(text)
