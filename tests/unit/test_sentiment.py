"""Sentiment scoring with support-chat frustration cues, and the sentiment trend."""

from __future__ import annotations

import pytest

from config.settings import Settings
from tools.sentiment import (
    Sentiment,
    SentimentAnalyzer,
    VaderSentimentAnalyzer,
    sentiment_trend,
)
from wiring.backends import build_sentiment_analyzer


@pytest.fixture(scope="module")
def analyzer() -> VaderSentimentAnalyzer:
    return VaderSentimentAnalyzer()


def test_implements_protocol(analyzer: VaderSentimentAnalyzer) -> None:
    assert isinstance(analyzer, SentimentAnalyzer)
    assert isinstance(build_sentiment_analyzer(Settings()), VaderSentimentAnalyzer)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Thank you so much, you were really helpful!", "positive"),
        ("I love the new headphones", "positive"),
        ("where is my order #W1234567", "neutral"),
        ("The jacket arrived torn and I'm really disappointed", "negative"),
    ],
)
def test_plain_polarity(analyzer: VaderSentimentAnalyzer, text: str, label: str) -> None:
    result = analyzer.analyze(text)
    assert result.label == label
    assert -1.0 <= result.score <= 1.0
    assert not result.frustration
    assert result.cues == []


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("This is the third time I'm asking, please help", "repeated_contact"),
        ("I've told you already, the size is wrong", "repeated_contact"),
        ("the package is late again!!", "problem_again"),
        ("still waiting for my refund", "still_waiting"),
        ("been waiting for weeks now", "still_waiting"),
        ("this is ridiculous", "exasperation"),
        ("useless bot", "exasperation"),
        ("fix it or I'll cancel my account", "churn_threat"),
        ("I'm going to leave a bad review", "churn_threat"),
        ("I want to speak to a manager", "escalation_demand"),
        ("WHERE IS MY ORDER", "shouting"),
        ("where is my order!!!", "repeated_punctuation"),
    ],
)
def test_frustration_cues(analyzer: VaderSentimentAnalyzer, text: str, cue: str) -> None:
    result = analyzer.analyze(text)
    assert result.frustration
    assert cue in result.cues
    assert result.label == "negative"
    assert result.score < 0


def test_polite_words_do_not_mask_frustration(analyzer: VaderSentimentAnalyzer) -> None:
    text = "This is the third time I am asking, please help"
    vader_only = analyzer._vader.polarity_scores(text)["compound"]
    assert vader_only > 0
    assert analyzer.analyze(text).score <= -0.25


def test_cues_accumulate_to_handoff_level(analyzer: VaderSentimentAnalyzer) -> None:
    result = analyzer.analyze(
        "Ridiculous. Third time I'm asking and still waiting. Get me a manager!!!"
    )
    assert result.frustration
    assert result.score <= -0.6
    assert {"repeated_contact", "still_waiting", "exasperation", "escalation_demand"} <= set(
        result.cues
    )


def test_more_cues_score_lower(analyzer: VaderSentimentAnalyzer) -> None:
    one = analyzer.analyze("still waiting on my order").score
    two = analyzer.analyze("still waiting on my order, this is ridiculous").score
    three = analyzer.analyze("still waiting on my order, this is ridiculous, third time").score
    assert one > two > three


@pytest.mark.parametrize(
    "text",
    [
        "thanks again!",
        "Thank you!! You're amazing!!",
        "I ordered a USB cable from the USA",
        "how do I delete my account?",
        "tell me a joke",
        "Can I get it again in blue?",
        "I ordered it 2 times before and loved it",
    ],
)
def test_no_false_frustration(analyzer: VaderSentimentAnalyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert not result.frustration, result.cues


def test_empty_text(analyzer: VaderSentimentAnalyzer) -> None:
    assert analyzer.analyze("   ") == Sentiment(score=0.0, label="neutral")


def test_score_is_clamped(analyzer: VaderSentimentAnalyzer) -> None:
    text = (
        "WORST SERVICE EVER!!! Useless, pathetic, a total scam. Third time asking, still "
        "waiting, I'll cancel my account and talk to my lawyer. Get me a manager!!!"
    )
    assert analyzer.analyze(text).score == -1.0


def test_trend_is_least_squares_slope() -> None:
    assert sentiment_trend([0.2, -0.1, -0.5]) == pytest.approx(-0.35)
    assert sentiment_trend([-0.5, 0.0, 0.5]) == pytest.approx(0.5)
    assert sentiment_trend([0.3, 0.3, 0.3]) == pytest.approx(0.0)


def test_trend_short_histories() -> None:
    assert sentiment_trend([]) == 0.0
    assert sentiment_trend([0.7]) == 0.0
    assert sentiment_trend([0.5, 0.0]) == pytest.approx(-0.5)


def test_trend_uses_recent_window() -> None:
    history = [-0.9, -0.9, -0.9, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert sentiment_trend(history, window=5) == pytest.approx(0.0)
    assert sentiment_trend(history, window=8) > 0
    with pytest.raises(ValueError):
        sentiment_trend(history, window=1)
