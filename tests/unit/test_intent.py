"""Intent catalogue validation and the local intent classifier."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError

from prompts.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    MIN_EXAMPLES,
    ORDER_ACTIONS,
    ROUTES,
    IntentCatalogue,
    catalogue_fingerprint,
    load_catalogue,
    parse_catalogue,
)
from tools.intent import IntentClassifier, IntentPrediction, normalise_text

EXPECTED_ROUTES = {
    "track_order": ("orders", None),
    "order_details": ("orders", None),
    "track_refund": ("orders", None),
    "cancel_order": ("orders", "cancel"),
    "return_items": ("orders", "return"),
    "exchange_items": ("orders", "exchange"),
    "change_shipping_address": ("orders", "modify_address"),
    "change_payment_method": ("orders", "modify_payment"),
    "change_order_items": ("orders", "modify_items"),
    "update_account_address": ("orders", "modify_user_address"),
    "return_policy": ("knowledge", None),
    "refund_policy": ("knowledge", None),
    "shipping_info": ("knowledge", None),
    "payment_methods": ("knowledge", None),
    "gift_cards": ("knowledge", None),
    "account_help": ("knowledge", None),
    "privacy": ("knowledge", None),
    "warranty": ("knowledge", None),
    "invoice": ("knowledge", None),
    "product_question": ("knowledge", None),
    "delivery_problem": ("knowledge", None),
    "store_help": ("knowledge", None),
    "human_agent": ("handoff", None),
    "complaint": ("handoff", None),
    "greeting": ("smalltalk", None),
    "thanks": ("smalltalk", None),
    "venting": ("smalltalk", None),
    "goodbye": ("smalltalk", None),
    "out_of_scope": ("out_of_scope", None),
}

# Fresh phrasings written for this test; none of them appears in the catalogue.
HELD_OUT = [
    ("any idea when my parcel will turn up?", "track_order"),
    ("has order #W8812345 left the warehouse", "track_order"),
    ("where's my stuff, ordered it days ago", "track_order"),
    ("what items were in W2233445", "order_details"),
    ("remind me how much I spent on my last order", "order_details"),
    ("I returned a lamp and the money still isn't back", "track_refund"),
    ("refund for #W9988776 not in my account yet", "track_refund"),
    ("please cancel order W1029384", "cancel_order"),
    ("I don't want the bookshelf anymore, cancel the order please", "cancel_order"),
    ("I want to return the pet bed I received", "return_items"),
    ("can I send the luggage set back, it arrived scratched", "return_items"),
    ("the boots I received are too tight, swap them for a bigger pair", "exchange_items"),
    ("exchange the delivered watch for the silver one", "exchange_items"),
    ("please ship order #W5566778 to my new address", "change_shipping_address"),
    ("the delivery address on my order is wrong", "change_shipping_address"),
    ("pay for my open order with paypal instead", "change_payment_method"),
    ("switch the card on order W3344556 to my gift card", "change_payment_method"),
    ("my order hasn't shipped, can I change the shoe size", "change_order_items"),
    ("change the colour of the mouse in my pending order", "change_order_items"),
    ("update the default address on my account please", "update_account_address"),
    ("I relocated, change the address saved in my profile", "update_account_address"),
    ("what's the deadline for returning an item", "return_policy"),
    ("do you take back opened electronics", "return_policy"),
    ("how quickly are refunds paid out", "refund_policy"),
    ("do you refund delivery charges", "refund_policy"),
    ("how long will standard delivery take", "shipping_info"),
    ("do you send orders to the UK", "shipping_info"),
    ("do you accept visa", "payment_methods"),
    ("can I check out with apple pay", "payment_methods"),
    ("how do I see the balance left on my gift card", "gift_cards"),
    ("I can't remember my password", "account_help"),
    ("how can I remove my account for good", "account_help"),
    ("do you share my personal information with anyone", "privacy"),
    ("my headphones died after 5 months, is that covered by warranty", "warranty"),
    ("could you email me an invoice for my purchase", "invoice"),
    ("does the office chair come in grey", "product_question"),
    ("I need to speak to a real person", "human_agent"),
    ("I'd like to file a formal complaint about my experience", "complaint"),
    ("hey hello", "greeting"),
    ("thanks so much for the help", "thanks"),
    ("ok bye for now", "goodbye"),
    ("hi there, can you cancel my order please", "cancel_order"),
]

OUT_OF_SCOPE = [
    "what's the forecast for tomorrow in denver",
    "tell me something funny",
    "write a bash script that renames files",
    "who won the tennis final",
    "how do I make guacamole",
    "what should I take for a sore throat",
    "can I break my lease early",
    "what's a good podcast to listen to",
    "how do I update my android phone",
    "how many moons does jupiter have",
    "what's the square root of 144",
    "plan a road trip for me",
    "cancel my spotify subscription",
    "what's the euro to dollar rate",
    "who wrote pride and prejudice",
]


@pytest.fixture(scope="module")
def catalogue() -> IntentCatalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def classifier(catalogue: IntentCatalogue) -> IntentClassifier:
    return IntentClassifier.from_catalogue(catalogue)


def _small_catalogue(extra: str = "") -> IntentCatalogue:
    hello = [f"hello number {word}" for word in ("one", "two", "three", "four", "five", "six")]
    hello += ["hi", "hey", "good morning", "howdy", "hiya", "greetings"]
    bye = [f"bye for {word}" for word in ("now", "today", "tonight", "ever", "good", "real")]
    bye += ["goodbye", "see you", "farewell", "ciao", "later", "so long"]
    if extra:
        bye.append(extra)
    return IntentCatalogue.model_validate(
        {
            "version": 1,
            "intents": [
                {
                    "name": "greeting",
                    "description": "Hello.",
                    "route": "smalltalk",
                    "examples": hello,
                },
                {"name": "goodbye", "description": "Bye.", "route": "smalltalk", "examples": bye},
            ],
        }
    )


# ---------------------------------------------------------------------------- catalogue


def test_bundled_catalogue_has_exactly_the_routed_intents(catalogue: IntentCatalogue) -> None:
    assert catalogue.version == 1
    assert set(catalogue.names) == set(EXPECTED_ROUTES)
    for intent in catalogue.intents:
        assert (intent.route, intent.action) == EXPECTED_ROUTES[intent.name], intent.name


def test_bundled_catalogue_is_valid(catalogue: IntentCatalogue) -> None:
    for intent in catalogue.intents:
        assert intent.route in ROUTES
        assert intent.description
        assert len(intent.examples) >= MIN_EXAMPLES, intent.name
        if intent.action is not None:
            assert intent.route == "orders"
            assert intent.action in ORDER_ACTIONS
    assert len(catalogue.get("out_of_scope").examples) >= 40


def test_catalogue_fingerprint_is_sha256_of_file(catalogue: IntentCatalogue) -> None:
    expected = hashlib.sha256(DEFAULT_CATALOGUE_PATH.read_bytes()).hexdigest()
    assert catalogue_fingerprint() == expected
    assert catalogue.fingerprint == expected


def test_catalogue_lookups(catalogue: IntentCatalogue) -> None:
    assert catalogue.route_of("cancel_order") == "orders"
    assert "greeting" in catalogue
    assert "nonexistent" not in catalogue
    assert {i.name for i in catalogue.by_route("handoff")} == {"human_agent", "complaint"}
    texts, labels = catalogue.training_data()
    assert len(texts) == len(labels) == sum(len(i.examples) for i in catalogue.intents)
    with pytest.raises(KeyError):
        catalogue.get("nonexistent")


def test_held_out_phrasings_are_not_in_catalogue(catalogue: IntentCatalogue) -> None:
    known = {text.casefold() for text in catalogue.training_data()[0]}
    for text, _ in HELD_OUT:
        assert text.casefold() not in known
    for text in OUT_OF_SCOPE:
        assert text.casefold() not in known


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"action": "cancel", "route": "knowledge"}, "only allowed on route 'orders'"),
        ({"route": "billing"}, "route"),
        ({"examples": ["one", "two"]}, "at least 12"),
        ({"name": "Bad Name"}, "name"),
        ({"examples": ["same"] * 12}, "duplicate example"),
    ],
)
def test_invalid_intent_rejected(change: dict[str, object], message: str) -> None:
    intent: dict[str, object] = {
        "name": "some_intent",
        "description": "Something.",
        "route": "orders",
        "examples": [f"example {n}" for n in range(12)],
    }
    intent.update(change)
    other = {
        "name": "other",
        "description": "Other.",
        "route": "smalltalk",
        "examples": [f"other {n}" for n in range(12)],
    }
    with pytest.raises(ValidationError, match=message):
        IntentCatalogue.model_validate({"version": 1, "intents": [intent, other]})


def test_duplicate_names_and_shared_examples_rejected() -> None:
    base = {"description": "X.", "route": "smalltalk"}
    with pytest.raises(ValidationError, match="duplicate intent name"):
        IntentCatalogue.model_validate(
            {
                "version": 1,
                "intents": [
                    {**base, "name": "a", "examples": [f"a {n}" for n in range(12)]},
                    {**base, "name": "a", "examples": [f"b {n}" for n in range(12)]},
                ],
            }
        )
    with pytest.raises(ValidationError, match="appears in both"):
        IntentCatalogue.model_validate(
            {
                "version": 1,
                "intents": [
                    {**base, "name": "a", "examples": [f"x {n}" for n in range(12)]},
                    {**base, "name": "b", "examples": [f"x {n}" for n in range(12)]},
                ],
            }
        )


def test_wrong_version_and_non_mapping_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_catalogue("version: 2\nintents: []\n")
    with pytest.raises(ValueError, match="mapping"):
        parse_catalogue("- just a list\n")


def test_load_catalogue_from_path(tmp_path) -> None:
    path = tmp_path / "intents.yaml"
    path.write_bytes(DEFAULT_CATALOGUE_PATH.read_bytes() + b"\n# tenant copy\n")
    loaded = load_catalogue(path)
    assert loaded.names == load_catalogue().names
    assert loaded.fingerprint == catalogue_fingerprint(path) != catalogue_fingerprint()


# ---------------------------------------------------------------------------- classifier


def test_normalisation_masks_identifiers() -> None:
    assert normalise_text("Where is #W1234567?") == normalise_text("where is w7654321?")
    assert normalise_text("order 1234567") == normalise_text("order #W7654321")
    assert "xxemail" in normalise_text("mail a.b@example.com")
    assert "xxpayment" in normalise_text("use credit_card_4190576")
    assert "xxitem" in normalise_text("item 1008292230")
    assert normalise_text("pleeeeease") == "pleease"


def test_held_out_accuracy(classifier: IntentClassifier) -> None:
    predictions = classifier.predict_batch([text for text, _ in HELD_OUT])
    misses = [
        (text, gold, p.intent)
        for (text, gold), p in zip(HELD_OUT, predictions, strict=True)
        if p.intent != gold
    ]
    accuracy = 1 - len(misses) / len(HELD_OUT)
    assert len(HELD_OUT) >= 40
    assert accuracy >= 0.9, misses


def test_out_of_scope_detected_or_unconfident(classifier: IntentClassifier) -> None:
    handled = [
        p.is_out_of_scope or not p.is_confident(0.45)
        for p in (classifier.predict(text) for text in OUT_OF_SCOPE)
    ]
    assert sum(handled) / len(handled) >= 0.8


def test_prediction_shape(classifier: IntentClassifier) -> None:
    prediction = classifier.predict("where is my order #W1234567")
    assert isinstance(prediction, IntentPrediction)
    assert prediction.intent == "track_order"
    assert len(prediction.ranking) == 3
    assert prediction.ranking[0] == (prediction.intent, prediction.confidence)
    scores = [score for _, score in prediction.ranking]
    assert scores == sorted(scores, reverse=True)
    assert 0.0 <= sum(scores) <= 1.0 + 1e-6
    assert prediction.is_confident(0.0)
    assert not prediction.is_confident(1.01)


def test_order_ids_do_not_change_prediction(classifier: IntentClassifier) -> None:
    a = classifier.predict("cancel #W1234567 please")
    b = classifier.predict("cancel W7654321 please")
    assert a == b


def test_single_and_batch_predictions_agree(
    classifier: IntentClassifier, catalogue: IntentCatalogue
) -> None:
    texts = [text for text, _ in HELD_OUT] + OUT_OF_SCOPE + ["", "!!!", "zzzz"]
    batch = classifier.predict_batch(texts)
    for text, expected in zip(texts, batch, strict=True):
        single = classifier.predict(text)
        assert single.intent == expected.intent
        assert single.confidence == pytest.approx(expected.confidence, abs=1e-4)


def test_training_is_deterministic(
    classifier: IntentClassifier, catalogue: IntentCatalogue
) -> None:
    again = IntentClassifier.from_catalogue(catalogue)
    for text, _ in HELD_OUT[:10]:
        assert again.predict(text) == classifier.predict(text)


def test_train_validates_inputs() -> None:
    with pytest.raises(ValueError, match="same length"):
        IntentClassifier().train(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="two distinct"):
        IntentClassifier().train(["a", "b"], ["x", "x"])
    with pytest.raises(RuntimeError):
        IntentClassifier().predict("hello")


def test_save_and_load_round_trip(classifier: IntentClassifier, tmp_path) -> None:
    path = classifier.save(tmp_path / "model.joblib")
    loaded = IntentClassifier.load(path)
    assert loaded.labels == classifier.labels
    assert loaded.fingerprint == classifier.fingerprint
    for text, _ in HELD_OUT[:5]:
        assert loaded.predict(text) == classifier.predict(text)


def test_load_rejects_foreign_file(tmp_path) -> None:
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"something": "else"}, path)
    with pytest.raises(ValueError, match="not a compatible"):
        IntentClassifier.load(path)


def test_load_or_train_reuses_cache(tmp_path, monkeypatch) -> None:
    small = _small_catalogue()
    first = IntentClassifier.load_or_train(small, tmp_path)
    cached = IntentClassifier.cache_path(small, tmp_path)
    assert cached.exists()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("retrained although a cached model matched")

    monkeypatch.setattr(IntentClassifier, "train", refuse)
    second = IntentClassifier.load_or_train(small, tmp_path)
    assert second.fingerprint == first.fingerprint == small.fingerprint
    assert second.predict("hello there") == first.predict("hello there")


def test_load_or_train_retrains_on_changed_catalogue(tmp_path) -> None:
    small = _small_catalogue()
    IntentClassifier.load_or_train(small, tmp_path)
    changed = _small_catalogue(extra="later alligator")
    assert changed.fingerprint != small.fingerprint
    retrained = IntentClassifier.load_or_train(changed, tmp_path)
    assert retrained.fingerprint == changed.fingerprint
    assert IntentClassifier.cache_path(changed, tmp_path).exists()
    assert IntentClassifier.cache_path(changed, tmp_path) != IntentClassifier.cache_path(
        small, tmp_path
    )


def test_load_or_train_replaces_corrupt_cache(tmp_path) -> None:
    small = _small_catalogue()
    path = IntentClassifier.cache_path(small, tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    classifier = IntentClassifier.load_or_train(small, tmp_path)
    assert classifier.predict("goodbye").intent == "goodbye"
    assert IntentClassifier.load(path).fingerprint == small.fingerprint


def test_file_catalogue_cache_keyed_by_file_fingerprint(tmp_path) -> None:
    catalogue = load_catalogue()
    path = IntentClassifier.cache_path(catalogue, tmp_path)
    assert path.name.startswith("intent-") and path.suffix == ".joblib"
    assert path == IntentClassifier.cache_path(load_catalogue(), tmp_path)


def test_two_class_catalogue_single_and_batch_agree() -> None:
    classifier = IntentClassifier.from_catalogue(_small_catalogue())
    texts = ["hello friend", "bye now", "ciao ciao", "", "what"]
    for text, expected in zip(texts, classifier.predict_batch(texts), strict=True):
        single = classifier.predict(text)
        assert single.intent == expected.intent
        assert single.confidence == pytest.approx(expected.confidence, abs=1e-4)
        assert len(single.ranking) == 2
