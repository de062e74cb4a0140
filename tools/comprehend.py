"""Amazon Comprehend for sentiment (DetectSentiment) and PII redaction (DetectPiiEntities).

`ComprehendSentimentAnalyzer` implements `tools.sentiment.SentimentAnalyzer`: the score is
Comprehend's ``Positive - Negative`` confidence, in [-1, 1], and the support-chat
frustration cues of `tools.sentiment` (repeated contact, long waits, threats to leave,
shouting) are applied on top, as the offline analyzers do, since a general-purpose
service does not know them. `ComprehendPiiRedactor` replaces the entities Comprehend finds
by typed placeholders and then applies the offline detector of `tools.pii_detect`, so it
never masks less than it does.

Both are best effort: when Comprehend throttles, fails or cannot be reached (after the
client's own retries), they log a warning and answer with the offline implementation,
so a chat turn never fails because of them. The composition root (`wiring/`) picks the
implementation the settings name.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tools import pii
from tools.pii_detect import PiiSpan, replace_spans
from tools.sentiment import (
    Sentiment,
    SentimentAnalyzer,
    SentimentLabel,
    VaderSentimentAnalyzer,
    apply_cues,
)

logger = logging.getLogger(__name__)

SENTIMENT_MAX_BYTES = 5000
"""DetectSentiment accepts at most 5,000 bytes of UTF-8 text; longer text is cut."""
PII_MAX_BYTES = 100_000
"""DetectPiiEntities accepts at most 100 KB; longer text is redacted offline."""
MIN_PII_SCORE = 0.5
"""Entities Comprehend is less sure of than this are left to the offline patterns."""

CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 2},
)
"""Short timeouts and one retry: a chat turn waits on these calls."""

PII_KINDS = {
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "CREDIT_DEBIT_NUMBER": "CARD",
    "CREDIT_DEBIT_CVV": "CVV",
    "SSN": "SSN",
    "INTERNATIONAL_BANK_ACCOUNT_NUMBER": "IBAN",
    "ADDRESS": "ADDRESS",
}
"""Comprehend entity types masked with the offline detector's placeholders; other types
become ``[TYPE]`` (``[NAME]``, ``[BANK_ACCOUNT_NUMBER]``, ...)."""

IGNORED_TYPES = frozenset({"DATE_TIME", "URL", "AGE"})
"""Types that are not personal data on their own (order dates, help-centre links); a date
of birth is found by the offline detector from its context."""

_KEPT_IDENTIFIERS = re.compile(r"#W\d{7}|\d{10}|(?:credit_card|paypal|gift_card)_\d+")
"""Identifiers support staff need in a transcript (order, item and payment-method ids)."""

_LABELS: dict[str, SentimentLabel] = {
    "POSITIVE": "positive",
    "NEGATIVE": "negative",
    "NEUTRAL": "neutral",
}
"""Comprehend's verdicts with a label of their own (``MIXED`` takes the score's)."""


def comprehend_client(region: str, endpoint_url: str | None = None) -> Any:
    """A Comprehend client for `region`, at `endpoint_url` when one is given."""
    from cloud.aws import aws_client

    return aws_client("comprehend", region, endpoint_url, config=CLIENT_CONFIG)


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _describe(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"


class ComprehendSentimentAnalyzer:
    """Sentiment from Amazon Comprehend's DetectSentiment.

    The offline `fallback` answers when Comprehend is throttled or unavailable.
    """

    def __init__(
        self,
        client: Any,
        language: str = "en",
        fallback: SentimentAnalyzer | None = None,
    ) -> None:
        self._client = client
        self.language = language
        self.fallback: SentimentAnalyzer = fallback or VaderSentimentAnalyzer()

    def polarity(self, text: str) -> tuple[float, str]:
        """Return Comprehend's ``(Positive - Negative, Sentiment)`` for `text`.

        Raises botocore's errors when the call fails.
        """
        response = self._client.detect_sentiment(
            Text=_truncate_utf8(text, SENTIMENT_MAX_BYTES), LanguageCode=self.language
        )
        scores = response.get("SentimentScore", {})
        score = float(scores.get("Positive", 0.0)) - float(scores.get("Negative", 0.0))
        return max(-1.0, min(1.0, score)), str(response.get("Sentiment", ""))

    def analyze(self, text: str) -> Sentiment:
        """Return the sentiment of `text` (the offline analyzer's if Comprehend fails)."""
        if not text.strip():
            return Sentiment(score=0.0, label="neutral")
        try:
            score, overall = self.polarity(text)
        except (ClientError, BotoCoreError) as exc:
            logger.warning("Comprehend DetectSentiment failed (%s); using offline", _describe(exc))
            return self.fallback.analyze(text)
        result = apply_cues(score, text)
        # Comprehend's overall verdict names the label unless frustration cues apply.
        label = _LABELS.get(overall)
        if result.frustration or label is None:
            return result
        return Sentiment(score=result.score, label=label)


class ComprehendPiiRedactor:
    """Masks the PII entities Amazon Comprehend's DetectPiiEntities finds.

    The offline patterns are applied afterwards, and alone when Comprehend fails.
    """

    def __init__(self, client: Any, language: str = "en", min_score: float = MIN_PII_SCORE):
        self._client = client
        self.language = language
        self.min_score = min_score

    def entities(self, text: str) -> list[dict[str, Any]]:
        """Return Comprehend's entities (``Type``, ``BeginOffset``, ``EndOffset``, ``Score``).

        Raises botocore's errors when the call fails.
        """
        response = self._client.detect_pii_entities(Text=text, LanguageCode=self.language)
        entities: list[dict[str, Any]] = response.get("Entities", [])
        return entities

    def _mask(self, text: str, entities: list[dict[str, Any]]) -> str:
        spans: list[PiiSpan] = []
        for entity in entities:
            kind = str(entity.get("Type", ""))
            if float(entity.get("Score", 1.0)) < self.min_score or kind in IGNORED_TYPES:
                continue
            begin, end = int(entity["BeginOffset"]), min(int(entity["EndOffset"]), len(text))
            found = text[begin:end]
            if begin >= end or _KEPT_IDENTIFIERS.fullmatch(found.strip()):
                continue
            spans.append(PiiSpan(PII_KINDS.get(kind, kind), begin, end, found))
        return replace_spans(text, spans)

    def redact(self, text: str) -> str:
        """Return `text` with personal data masked (offline patterns only on failure)."""
        if not text.strip() or len(text.encode("utf-8")) > PII_MAX_BYTES:
            return pii.redact(text)
        try:
            entities = self.entities(text)
        except (ClientError, BotoCoreError) as exc:
            logger.warning(
                "Comprehend DetectPiiEntities failed (%s); using offline", _describe(exc)
            )
            return pii.redact(text)
        return pii.redact(self._mask(text, entities))
