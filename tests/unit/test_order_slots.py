"""Reading exchange options and addresses out of a customer's words."""

from __future__ import annotations

import pytest

from graphs.order_slots import address_scope, match_variant, parse_address, wanted_options


def _variant(item_id: str, size: str, color: str, available: bool = True) -> dict:
    return {
        "item_id": item_id,
        "options": {"size": size, "color": color},
        "available": available,
        "price": 100.0,
    }


SHOES = {
    "name": "Running Shoes",
    "variants": {
        v["item_id"]: v
        for v in (
            _variant("1", "9", "red"),
            _variant("2", "10", "red"),
            _variant("3", "10", "blue"),
            _variant("4", "11", "red", available=False),
            _variant("5", "11", "black"),
        )
    },
}


def test_same_color_keeps_the_current_colour():
    wanted = wanted_options(SHOES, "1", "a bigger size please, same colour")
    assert wanted == {"color": "red"}
    chosen, offered, kept = match_variant(SHOES, "1", "a bigger size, same colour", wanted)
    assert chosen is None and kept == {"color": "red"}
    assert [v["item_id"] for v in offered] == ["2"]


def test_a_size_with_the_kept_colour_is_chosen_across_turns():
    earlier = wanted_options(SHOES, "1", "same color")
    wanted = wanted_options(SHOES, "1", "size 10 please", earlier)
    assert wanted == {"color": "red", "size": "10"}
    chosen, _, _ = match_variant(SHOES, "1", "size 10 please", wanted)
    assert chosen is not None and chosen["item_id"] == "2"


def test_a_missing_combination_offers_what_keeps_the_named_colour():
    wanted = wanted_options(SHOES, "1", "size 10 in black")
    assert wanted == {"size": "10", "color": "black"}
    chosen, offered, honoured = match_variant(SHOES, "1", "size 10 in black", wanted)
    assert chosen is None and honoured == {"color": "black"}
    assert [v["item_id"] for v in offered] == ["5"]


def test_unavailable_variants_are_never_offered():
    wanted = wanted_options(SHOES, "1", "size 11, same color")
    chosen, offered, _ = match_variant(SHOES, "1", "size 11, same color", wanted)
    assert chosen is None
    assert all(v["available"] for v in offered)


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        (
            "also can you change the address on my account to 12 Pine Street, Oakland CA 94612?",
            "account",
        ),
        ("please update my default address", "account"),
        ("I moved, please update my profile address", "account"),
        ("ship order #W1234567 to 12 Pine Street, Oakland CA 94612", "order"),
        ("change the delivery address of my order", "order"),
        ("what is the address on my account?", None),
        ("where is my order?", None),
    ],
)
def test_address_scope(text, scope):
    assert address_scope(text) == scope


def test_an_address_without_a_comma_before_the_state_parses():
    address = parse_address("ship #W1234567 to 12 Pine Street, Oakland CA 94612")
    assert address is not None
    assert (address["address1"], address["city"], address["state"], address["zip"]) == (
        "12 Pine Street",
        "Oakland",
        "CA",
        "94612",
    )


def test_too_small_offers_only_bigger_sizes():
    wanted = wanted_options(SHOES, "2", "they are too small")
    chosen, offered, _ = match_variant(SHOES, "2", "they are too small", wanted)
    assert chosen is None
    assert [v["item_id"] for v in offered] == ["5"]
