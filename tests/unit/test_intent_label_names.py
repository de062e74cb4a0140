"""Intent names as one more training example each."""

from __future__ import annotations

from tools.intent import IntentClassifier
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
    assert (
        with_names.predict("currency exchange").confidence
        > without.predict("currency exchange").confidence
    )
