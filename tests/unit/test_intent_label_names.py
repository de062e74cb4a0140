"""Intent names as one more training example each."""

from __future__ import annotations

from tools.intent import IntentClassifier
from tools.intent.calibration import decision_scores
from tools.intent.label_names import name_phrase, with_label_names


def test_names_read_as_words_and_skip_out_of_scope_and_numbers() -> None:
    assert name_phrase("card_not-arriving") == "card not arriving"
    texts, labels = with_label_names(["hi", "refund", "x"], ["greeting", "refund", "oos"])
    assert texts == ["hi", "refund", "x", "greeting"]  # "refund" is already an example
    assert labels == ["greeting", "refund", "oos", "greeting"]
    assert with_label_names(["a", "b"], ["17", "out_of_scope"]) == (
        ["a", "b"],
        ["17", "out_of_scope"],
    )


def test_a_name_teaches_the_classifier_its_own_words() -> None:
    texts = [
        "where is my parcel",
        "has my parcel shipped",
        "what is the rate today",
        "how much is a dollar in euros",
    ] * 3
    labels = ["parcel_tracking", "parcel_tracking", "currency_exchange", "currency_exchange"] * 3
    with_names = IntentClassifier("off").train(texts, labels)
    without = IntentClassifier("off", label_names=False).train(texts, labels)
    assert with_names.predict("currency exchange").intent == "currency_exchange"

    # Compared before calibration: each temperature is fitted on out-of-fold scores of these
    # repeated sentences, which says little about an unseen phrase.
    def margin(classifier: IntentClassifier) -> float:
        assert classifier._model is not None
        row = decision_scores(classifier._model, classifier._text.transform(["currency exchange"]))
        return float(row[0][classifier.labels.index("currency_exchange")] - row[0].min())

    assert margin(with_names) > 2 * margin(without) > 0
