"""Sentiment from a trained linear model, with the same frustration cues as VADER's analyzer.

`LearnedSentimentAnalyzer` scores a message with `LinearSentimentModel` (probability of
positive mapped to [-1, 1]) and then applies the support-chat frustration cues of
`tools.sentiment`, so repeated asks, long waits and threats to leave still mark a message
as frustrated and push it down. Messages the model is unsure about (within `neutral_band`
of zero) are labelled neutral.

No model ships with the package (its vocabulary would carry fragments of the training
sentences). `python -m bench.sentiment --save-model PATH` trains one on the train split of
labelled sentences (the UCI "Sentiment Labelled Sentences", CC BY 4.0, or a company's own)
and `TANDEM_SENTIMENT_MODEL_PATH` points the learned backend at it.
"""

from __future__ import annotations

from pathlib import Path

from tools.sentiment import Sentiment, apply_cues
from tools.sentiment_model import LinearSentimentModel

NEUTRAL_BAND = 0.2
"""Model scores strictly inside (-band, band) are labelled neutral."""


class LearnedSentimentAnalyzer:
    """Linear-model polarity adjusted for support-chat frustration cues."""

    def __init__(self, model: LinearSentimentModel, neutral_band: float = NEUTRAL_BAND) -> None:
        self.model = model
        self.neutral_band = neutral_band

    @classmethod
    def from_file(cls, path: Path | None) -> LearnedSentimentAnalyzer:
        """Return an analyzer on the model saved at ``path``.

        Raises `ValueError` naming the setting and the command that makes a model when
        there is none.
        """
        if path is None or not Path(path).is_file():
            where = f" (nothing at {path})" if path is not None else ""
            raise ValueError(
                "sentiment_backend=learned needs TANDEM_SENTIMENT_MODEL_PATH" + where + "; "
                "train one with: python -m bench.sentiment --save-model PATH"
            )
        return cls(LinearSentimentModel.load(path))

    def analyze(self, text: str) -> Sentiment:
        """Return the sentiment of ``text``."""
        if not text.strip():
            return Sentiment(score=0.0, label="neutral")
        probability = float(self.model.probability_positive([text])[0])
        base = 2.0 * probability - 1.0
        if abs(base) < self.neutral_band:
            base = 0.0
        return apply_cues(base, text)
