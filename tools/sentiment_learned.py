"""Sentiment from the shipped linear model, with the same frustration cues as VADER's analyzer.

`LearnedSentimentAnalyzer` scores a message with `LinearSentimentModel` (probability of
positive mapped to [-1, 1]) and then applies the support-chat frustration cues of
`tools.sentiment`, so repeated asks, long waits and threats to leave still mark a message
as frustrated and push it down. Messages the model is unsure about (within `neutral_band`
of zero) are labelled neutral.

The model file bundled in `sentiment_data/` was trained on the train split of the UCI
"Sentiment Labelled Sentences" Amazon reviews (Kotzias et al. 2015, CC BY 4.0); see
`bench/sentiment.py` for the split and the measured quality.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tools.sentiment import Sentiment, apply_cues
from tools.sentiment_model import LinearSentimentModel

BUNDLED_MODEL = Path(__file__).resolve().parent / "sentiment_data" / "linear_amazon_reviews.json.gz"
"""The model shipped with the package (no data set or download needed at run time)."""
NEUTRAL_BAND = 0.2
"""Model scores strictly inside (-band, band) are labelled neutral."""


class LearnedSentimentAnalyzer:
    """Linear-model polarity adjusted for support-chat frustration cues."""

    def __init__(self, model: LinearSentimentModel, neutral_band: float = NEUTRAL_BAND) -> None:
        self.model = model
        self.neutral_band = neutral_band

    @classmethod
    def bundled(cls) -> LearnedSentimentAnalyzer:
        """Return an analyzer on the model shipped with the package."""
        return cls(_bundled_model())

    def analyze(self, text: str) -> Sentiment:
        """Return the sentiment of ``text``."""
        if not text.strip():
            return Sentiment(score=0.0, label="neutral")
        probability = float(self.model.probability_positive([text])[0])
        base = 2.0 * probability - 1.0
        if abs(base) < self.neutral_band:
            base = 0.0
        return apply_cues(base, text)


@lru_cache(maxsize=1)
def _bundled_model() -> LinearSentimentModel:
    return LinearSentimentModel.load(BUNDLED_MODEL)
