"""The learned sentiment model: training, the stored format, the backend setting, the bench."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.sentiment import read_labelled_sentences, score_negative_detection
from config.settings import Settings
from tools.sentiment import SentimentAnalyzer
from tools.sentiment_learned import LearnedSentimentAnalyzer
from tools.sentiment_model import LinearSentimentModel, train_linear_model
from wiring.backends import build_sentiment_analyzer

POSITIVE = [
    "great service, thank you",
    "works perfectly, very happy",
    "love it, excellent quality",
    "fast delivery and friendly support",
    "really pleased with this",
    "the best purchase I made",
]
NEGATIVE = [
    "arrived broken, very disappointed",
    "terrible quality, waste of money",
    "it stopped working after a day",
    "awful support, nobody answers",
    "the worst order I ever placed",
    "poor fit and cheap material",
]


@pytest.fixture(scope="module")
def small_model() -> LinearSentimentModel:
    texts = POSITIVE + NEGATIVE
    labels = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
    return train_linear_model(texts, labels, keep_terms=200, provenance="unit test")


def test_trained_model_separates_its_training_data(small_model: LinearSentimentModel) -> None:
    probabilities = small_model.probability_positive(POSITIVE + NEGATIVE)
    assert all(p > 0.5 for p in probabilities[: len(POSITIVE)])
    assert all(p < 0.5 for p in probabilities[len(POSITIVE) :])
    assert small_model.probability_positive([]).shape == (0,)


def test_save_and_load_round_trip(small_model: LinearSentimentModel, tmp_path: Path) -> None:
    path = tmp_path / "model.json.gz"
    small_model.save(path)
    loaded = LinearSentimentModel.load(path)
    assert loaded.provenance == "unit test"
    texts = ["thank you, great help", "broken again, useless"]
    assert loaded.probability_positive(texts) == pytest.approx(
        small_model.probability_positive(texts), abs=1e-4
    )


def test_load_refuses_another_format(small_model: LinearSentimentModel, tmp_path: Path) -> None:
    path = tmp_path / "model.json.gz"
    small_model.save(path)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        payload = json.load(handle)
    payload["format"] = 99
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(payload, handle)
    with pytest.raises(ValueError, match="format"):
        LinearSentimentModel.load(path)


def test_training_needs_both_labels() -> None:
    with pytest.raises(ValueError):
        train_linear_model(["good", "great"], [1, 1])


@pytest.fixture(scope="module")
def saved_model(
    small_model: LinearSentimentModel, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("sentiment") / "model.json.gz"
    small_model.save(path)
    return path


def test_saved_analyzer_scores_and_keeps_frustration_cues(saved_model: Path) -> None:
    assert saved_model.is_file()
    analyzer = LearnedSentimentAnalyzer.from_file(saved_model)
    assert isinstance(analyzer, SentimentAnalyzer)
    assert analyzer.analyze("Thank you so much, you were really helpful!").label == "positive"
    assert analyzer.analyze("It arrived broken and I am really disappointed").label == "negative"
    frustrated = analyzer.analyze("This is the third time I'm asking, please help")
    assert frustrated.frustration and "repeated_contact" in frustrated.cues
    assert frustrated.label == "negative"
    assert analyzer.analyze("   ").label == "neutral"


def test_settings_select_the_learned_backend(saved_model: Path) -> None:
    settings = Settings(sentiment_backend="learned", sentiment_model_path=saved_model)
    assert isinstance(build_sentiment_analyzer(settings), LearnedSentimentAnalyzer)


@pytest.mark.parametrize("path", [None, Path("/nonexistent/model.json.gz")])
def test_learned_backend_without_a_model_says_how_to_make_one(path: Path | None) -> None:
    settings = Settings(sentiment_backend="learned", sentiment_model_path=path)
    with pytest.raises(ValueError, match=r"TANDEM_SENTIMENT_MODEL_PATH.*--save-model"):
        build_sentiment_analyzer(settings)


def test_bench_reads_quoted_sentences_and_scores(tmp_path: Path) -> None:
    path = tmp_path / "sentences.txt"
    path.write_text('"Good case, ""excellent"" value."\t1\nBroken on arrival.\t0\n', "utf-8")
    texts, labels = read_labelled_sentences(path)
    assert texts == ['Good case, "excellent" value.', "Broken on arrival."]
    assert labels == [1, 0]
    scores = score_negative_detection(lambda text: "Broken" in text, texts, labels)
    assert scores == {"accuracy": 1.0, "macro_f1": 1.0}
