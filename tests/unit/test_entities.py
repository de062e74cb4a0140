"""Entity extraction and confirmation detection."""

from __future__ import annotations

import pytest

from tools.entities import Entities, detect_confirmation, extract_entities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is #W1234567", ["#W1234567"]),
        ("status of W1234567?", ["#W1234567"]),
        ("cancel #w1234567 please", ["#W1234567"]),
        ("order 1234567 hasn't arrived", ["#W1234567"]),
        ("order number: 1234567", ["#W1234567"]),
        ("my order #1234567", ["#W1234567"]),
        ("orders 1234567 and 7654321", ["#W1234567", "#W7654321"]),
        ("#W1234567 and #W7654321 and #W1234567 again", ["#W1234567", "#W7654321"]),
        ("item 1008292230", []),
        ("order 123456", []),
        ("new 1234567 things", []),
    ],
)
def test_order_ids(text: str, expected: list[str]) -> None:
    assert extract_entities(text).order_ids == expected


def test_emails_are_lowercased_and_not_mistaken_for_ids() -> None:
    found = extract_entities("I'm at Noah.Brown7922@Example.com, also w1234567@mail.io")
    assert found.emails == ["noah.brown7922@example.com", "w1234567@mail.io"]
    assert found.order_ids == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my zip code is 80279", ["80279"]),
        ("zip: 19122", ["19122"]),
        ("Austin, TX 78701", ["78701"]),
        ("80279", ["80279"]),
        ("it's 19122.", ["19122"]),
        ("postal code 10001-1234", ["10001"]),
        ("I bought 12345 stickers", []),
        ("it cost $12345", []),
        ("order 1234567", []),
    ],
)
def test_zip_codes(text: str, expected: list[str]) -> None:
    assert extract_entities(text).zip_codes == expected


def test_item_and_product_ids() -> None:
    found = extract_entities("swap item 1008292230 for 9612497925; product id 9523456873")
    assert found.item_ids == ["1008292230", "9612497925"]
    assert found.product_ids == ["9523456873"]
    assert extract_entities("call me at 5551234567").item_ids == []


def test_payment_method_ids_and_kinds() -> None:
    found = extract_entities("use credit_card_4190576 or PayPal_7644869, not gift_card_3113154")
    assert found.payment_method_ids == [
        "credit_card_4190576",
        "paypal_7644869",
        "gift_card_3113154",
    ]
    assert found.payment_kinds == ["credit_card", "paypal", "gift_card"]


@pytest.mark.parametrize(
    ("text", "kinds", "kind"),
    [
        ("refund it to my gift card", ["gift_card"], "gift_card"),
        ("pay with paypal instead of my credit card", ["paypal", "credit_card"], "paypal"),
        ("switch from credit card to paypal", ["credit_card", "paypal"], "paypal"),
        ("put it on my visa", ["credit_card"], "credit_card"),
        ("back to the original payment method", ["original"], "original"),
        ("where is my order", [], None),
    ],
)
def test_payment_kind(text: str, kinds: list[str], kind: str | None) -> None:
    found = extract_entities(text)
    assert found.payment_kinds == kinds
    assert found.payment_kind == kind


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("my name is Yusuf Rossi", "Yusuf", "Rossi"),
        ("my name is yusuf rossi and zip 19122", "Yusuf", "Rossi"),
        ("Hi, I'm Mei Kovacs", "Mei", "Kovacs"),
        ("I am John", "John", None),
        ("This is Omar Anderson, zip 19031", "Omar", "Anderson"),
        ("I'm waiting for my order", None, None),
        ("I'm Not Happy", None, None),
        ("This is Ridiculous", None, None),
        ("my name is Ava and my email is ava@example.com", "Ava", None),
    ],
)
def test_names(text: str, first: str | None, last: str | None) -> None:
    found = extract_entities(text)
    assert (found.first_name, found.last_name) == (first, last)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("cancel it, no longer needed", "no longer needed"),
        ("I don't need it anymore", "no longer needed"),
        ("don't want the lamp any more", "no longer needed"),
        ("I changed my mind", "no longer needed"),
        ("I ordered it by mistake", "ordered by mistake"),
        ("bought it by accident", "ordered by mistake"),
        ("I accidentally ordered two", "ordered by mistake"),
        ("I ordered the wrong one", "ordered by mistake"),
        ("please cancel my order", None),
    ],
)
def test_cancel_reason(text: str, reason: str | None) -> None:
    assert extract_entities(text).cancel_reason == reason


def test_full_message() -> None:
    found = extract_entities(
        "Hi, I'm Omar Anderson, zip 19031. Please cancel #W6067464, ordered by mistake. "
        "Refund to credit_card_4190576."
    )
    assert found.first_name == "Omar" and found.last_name == "Anderson"
    assert found.zip_codes == ["19031"]
    assert found.order_ids == ["#W6067464"]
    assert found.cancel_reason == "ordered by mistake"
    assert found.payment_method_ids == ["credit_card_4190576"]
    assert not found.is_empty()


def test_empty() -> None:
    found = extract_entities("hello there")
    assert found == Entities()
    assert found.is_empty()
    assert found.as_dict()["order_ids"] == []


YES = [
    "yes",
    "Yes.",
    "YES!!!",
    "yeah",
    "yep",
    "yup",
    "sure",
    "sure thing",
    "confirm",
    "I confirm",
    "confirmed",
    "go ahead",
    "please do",
    "ok do it",
    "Okay, go ahead and cancel it",
    "y",
    "yes please",
    "sure, why not",
    "no problem, go ahead",
    "yes cancel that",
    "yes, cancel that order",
    "that's correct",
    "👍",
    "Yes, please cancel it. I don't need it anymore",
    "yes, no other changes",
    "sounds good",
    "absolutely",
    "Yes’ go ahead",
]
NO = [
    "no",
    "No.",
    "nope",
    "nah",
    "No thanks",
    "don't",
    "do not",
    "stop",
    "cancel that",
    "never mind",
    "nevermind",
    "wait",
    "hold on",
    "not yet",
    "yes but actually don't",
    "yes... no wait",
    "actually, I'd rather keep it",
    "n",
    "that's not right",
    "Wait, wrong order",
    "absolutely not",
    "no, I changed my mind",
]
NEITHER = [
    "what's the refund amount?",
    "yes but what about the refund?",
    "yes, but first tell me when the refund arrives",
    "yes if the refund goes to paypal",
    "maybe",
    "I'm not sure",
    "I don't know",
    "where is my other order",
    "",
    "   ",
    "hello",
    "can you also check my address",
    "yes?",
    "I don't need it anymore",
    "my email is ava@example.com",
    "#W1234567",
]


@pytest.mark.parametrize("text", YES)
def test_confirmation_yes(text: str) -> None:
    assert detect_confirmation(text) == "yes"


@pytest.mark.parametrize("text", NO)
def test_confirmation_no(text: str) -> None:
    assert detect_confirmation(text) == "no"


@pytest.mark.parametrize("text", NEITHER)
def test_confirmation_none(text: str) -> None:
    assert detect_confirmation(text) is None
