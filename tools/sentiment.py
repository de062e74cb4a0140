"""Sentiment and frustration of customer messages.

``VaderSentimentAnalyzer`` starts from VADER's compound score and adds the frustration cues
of support chats that a general-purpose lexicon misses or scores as neutral or even
positive: repeated contact ("third time", "yet again"), long waits ("still waiting"),
exasperation ("ridiculous", "useless"), threats to leave, demands for a manager, shouting in
capitals and runs of exclamation marks. Each cue pushes the score down and marks the
message as frustrated, which the support graph uses to hand over to a human.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SentimentLabel = Literal["negative", "neutral", "positive"]
"""Coarse polarity of a message."""

POSITIVE_THRESHOLD = 0.05
"""Scores at or above this are ``positive`` (VADER's conventional cut-off)."""
NEGATIVE_THRESHOLD = -0.05
"""Scores at or below this are ``negative``."""

LEXICAL_CUE_PENALTY = 0.25
"""How far each distinct worded frustration cue lowers the score."""
EMPHASIS_CUE_PENALTY = 0.1
"""How far shouting or repeated punctuation lowers the score of a frustrated message."""
MAX_PENALTY = 0.8
"""Cap on the total lowering, so one message cannot be pushed down without limit."""


@dataclass(frozen=True)
class Sentiment:
    """The sentiment of one message.

    ``score`` is in [-1, 1]: VADER's compound score, lowered for frustration cues.
    ``cues`` names the frustration cues found (empty when ``frustration`` is false).
    """

    score: float
    label: SentimentLabel
    frustration: bool = False
    cues: list[str] = field(default_factory=list)


@runtime_checkable
class SentimentAnalyzer(Protocol):
    """Anything that scores a message's sentiment (VADER offline, Comprehend in production)."""

    def analyze(self, text: str) -> Sentiment:
        """Return the sentiment of ``text``."""
        ...


_LEXICAL_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "repeated_contact",
            r"\b(?:(?:second|third|fourth|fifth|sixth|umpteenth|\d*(?:1st|2nd|3rd|[4-9]th))\s+time"
            r"|how many times|(?:yet|once) again|again and again|over and over"
            r"|(?:already|again|keep)\s+(?:told|asked|explained|contacted|called|written|tell"
            r"|ask|explain|contact|call|write)(?:ing)?"
            r"|(?:told|asked|explained|contacted|called|written|emailed)\s+(?:you\s+)?(?:already"
            r"|before|multiple times|several times|many times|twice))\b",
        ),
        (
            "problem_again",
            r"\b(?:broken|wrong|late|missing|damaged|failed|delayed|lost|happening|happened"
            r"|(?:not|isn't|doesn't|didn't|won't)\s+(?:work|working|arrive|arrived|here))"
            r"\s+again\b|\bagain\s*[?!]{2,}",
        ),
        (
            "still_waiting",
            r"\b(?:still\s+(?:waiting|haven'?t|have not|hasn'?t|has not|not(?!\s+sure)|no"
            r"|nothing|don'?t|didn'?t)|(?:been|kept)\s+waiting|waiting\s+(?:for\s+)?(?:weeks|days|months|ages"
            r"|forever|so long)|weeks?\s+(?:later|now)|never\s+(?:arrived|came|received|got))\b",
        ),
        (
            "exasperation",
            r"\b(?:ridiculous|useless|unacceptable|pathetic|absurd|outrageous|disgrac\w*"
            r"|incompetent|(?:is|what)\s+a\s+joke|waste\s+of\s+(?:my\s+)?time|fed up"
            r"|sick\s+(?:and\s+tired\s+)?of"
            r"|scam|rip[- ]?off|worst|terrible|horrible|awful|infuriating|frustrat\w*"
            r"|annoy(?:ed|ing)|angry|furious|livid|wtf|fuck\w*|shit\w*|damn\w*|bloody)\b",
        ),
        (
            "churn_threat",
            r"\b(?:(?:i'?ll|i\s+will|i'?m\s+(?:going\s+to|gonna|about\s+to)|ready\s+to|or\s+i)"
            r"\s+(?:just\s+)?(?:cancel|close|delete)\s+my\s+account|never\s+(?:order|buy|shop|purchase)"
            r"(?:ing)?\s+(?:from|with|here|again)|take\s+my\s+business\s+elsewhere"
            r"|(?:leave|write|post)\s+(?:a\s+)?(?:bad|negative|1[- ]star|one[- ]star)\s+review"
            r"|charge\s*back|dispute\s+the\s+charge|report\s+you|better business bureau|bbb"
            r"|lawyer|sue\s+you|this\s+is\s+the\s+last\s+time)\b",
        ),
        (
            "escalation_demand",
            r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a|an|the|your)\s+"
            r"(?:manager|supervisor|boss)|\b(?:get|want|need)\s+(?:me\s+)?(?:a|an|the|your)\s+"
            r"(?:manager|supervisor)|\bescalate\b",
        ),
    )
)
_EXCLAMATIONS = re.compile(r"!{2,}|[!?]{3,}|\?!|!\?")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_LETTERS = re.compile(r"[A-Za-z]")
_CAPS_ALLOWED = frozenset(
    {
        "USA",
        "UPS",
        "USPS",
        "DHL",
        "FEDEX",
        "ETA",
        "ASAP",
        "FAQ",
        "PIN",
        "ATM",
        "GPS",
        "USB",
        "LED",
        "TV",
        "SSD",
        "RAM",
        "XXL",
        "XXXL",
        "EST",
        "PST",
        "GMT",
        "VAT",
        "BBB",
        "OK",
    }
)


def _shouting(text: str) -> bool:
    words = [word for word in _CAPS_WORD.findall(text) if word not in _CAPS_ALLOWED]
    letters = _LETTERS.findall(text)
    upper = sum(1 for letter in letters if letter.isupper())
    mostly_upper = len(letters) >= 8 and upper / len(letters) >= 0.7 and len(words) >= 1
    return len(words) >= 3 or mostly_upper


def frustration_cues(text: str) -> tuple[list[str], list[str]]:
    """Return the ``(worded, emphasis)`` frustration cues found in ``text``.

    Worded cues are the names of the patterns that match (repeated contact, still waiting,
    churn threat, ...); emphasis cues are ``shouting`` and ``repeated_punctuation``.
    """
    lexical = [name for name, pattern in _LEXICAL_CUES if pattern.search(text)]
    emphasis: list[str] = []
    if _shouting(text):
        emphasis.append("shouting")
    if _EXCLAMATIONS.search(text):
        emphasis.append("repeated_punctuation")
    return lexical, emphasis


def apply_cues(base_score: float, text: str) -> Sentiment:
    """Turn a base polarity score in [-1, 1] and the text's frustration cues into a result.

    Emphasis does not count on an otherwise positive message ("Thank you!!" stays
    positive). When any cue counts, the score starts from ``min(base, 0)`` and is lowered by
    ``0.25 * worded + 0.1 * emphasis`` (at most 0.8), then clamped to [-1, 1].
    """
    lexical, emphasis = frustration_cues(text)
    if not lexical and base_score >= POSITIVE_THRESHOLD:
        emphasis = []
    cues = lexical + emphasis
    if not cues:
        return Sentiment(score=round(base_score, 4), label=_label(base_score))
    penalty = min(
        MAX_PENALTY, LEXICAL_CUE_PENALTY * len(lexical) + EMPHASIS_CUE_PENALTY * len(emphasis)
    )
    score = max(-1.0, min(1.0, min(base_score, 0.0) - penalty))
    return Sentiment(score=round(score, 4), label=_label(score), frustration=True, cues=cues)


def _label(score: float) -> SentimentLabel:
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


class VaderSentimentAnalyzer:
    """VADER compound score adjusted for support-chat frustration cues.

    Scoring: ``lexical`` is the number of distinct worded cues found and ``emphasis`` the
    number of shouting / repeated-punctuation cues. Emphasis does not count on an otherwise
    positive message ("Thank you!!" stays positive). When any cue counts, the
    score starts from ``min(compound, 0)`` — a polite "please help" cannot mask "third time
    asking" — and is lowered by ``0.25 * lexical + 0.1 * emphasis`` (at most 0.8), then
    clamped to [-1, 1].
    """

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def cues(self, text: str) -> tuple[list[str], list[str]]:
        """Return the ``(worded, emphasis)`` frustration cues found in ``text``."""
        return frustration_cues(text)

    def analyze(self, text: str) -> Sentiment:
        """Return the adjusted sentiment of ``text``."""
        if not text.strip():
            return Sentiment(score=0.0, label="neutral")
        compound = float(self._vader.polarity_scores(text)["compound"])
        return apply_cues(compound, text)


def sentiment_trend(scores: list[float], window: int = 5) -> float:
    """Return how sentiment is moving over the last ``window`` scores, oldest first.

    The result is the least-squares slope of score against turn index: the average change
    in score per turn. Negative means the conversation is getting worse (e.g. ``[0.2, -0.1,
    -0.5]`` gives -0.35), positive that it is improving, and 0.0 for fewer than two scores.
    Only the most recent ``window`` scores count, so an old bad patch does not dominate.
    """
    if window < 2:
        raise ValueError("window must be at least 2")
    recent = [float(score) for score in scores[-window:]]
    count = len(recent)
    if count < 2:
        return 0.0
    mean_x = (count - 1) / 2.0
    mean_y = sum(recent) / count
    covariance = sum((index - mean_x) * (score - mean_y) for index, score in enumerate(recent))
    variance = sum((index - mean_x) ** 2 for index in range(count))
    return covariance / variance
