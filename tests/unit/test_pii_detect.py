"""The offline PII detector: each kind, its spacing variants, and what it must keep."""

from __future__ import annotations

import itertools

import pytest

from bench.pii_synthetic import generate
from tools.pii_detect import find_pii, luhn_valid, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4242424242424242 please", "card [CARD ••4242] please"),
        ("card 4242 4242 4242 4242", "card [CARD ••4242]"),
        ("card 4242-4242-4242-4242", "card [CARD ••4242]"),
        ("card 42 42 42 42 42 42 42 42", "card [CARD ••4242]"),
        ("card 4242 4242-4242 4242.", "card [CARD ••4242]."),
        ("amex 3782-822463-10005", "amex [CARD ••0005]"),
        ("the CVV is 123", "the CVV is [CVV]"),
        ("security code: 4821, thanks", "security code: [CVV], thanks"),
        ("my SSN is 123-45-6789", "my SSN is [SSN]"),
        ("ssn 123 45 6789", "ssn [SSN]"),
        ("social security number 123456789", "social security number [SSN]"),
        ("it is 123.45.6789", "it is [SSN]"),
        ("call (415) 555-2671", "call [PHONE]"),
        ("or +44 20 7946 0958 today", "or [PHONE] today"),
        ("text me on 415.555.2671", "text me on [PHONE]"),
        ("my cell: 4155552671", "my cell: [PHONE]"),
        ("write to jane.doe+shop@mail.example.org", "write to [EMAIL]"),
        ("IBAN DE89 3704 0044 0532 0130 00 please", "IBAN [IBAN] please"),
        ("IBAN GB29NWBK60161331926819.", "IBAN [IBAN]."),
        ("I was born on 03/14/1985", "I was born on [DOB]"),
        ("date of birth: March 14, 1985.", "date of birth: [DOB]."),
        ("DOB 1985-03-14", "DOB [DOB]"),
        ("ship to 742 Evergreen Terrace, Springfield", "ship to [ADDRESS], Springfield"),
        ("100 5th Ave, Apt 4", "[ADDRESS]"),
    ],
)
def test_each_kind_gets_its_placeholder(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order #W1234567 and W7654321",
        "item 1008292230 and item 9523456873",
        "items 1008292230 1008292231",
        "call me about item 1008292230",
        "refund $1,299.00 to credit_card_4190576",
        "the total was $5551234567.00",
        "zip 80202 and postal code 10001-1234",
        "I ordered on 03/14/2026 and waited 10 days",
        "number 4242424242424241 fails the Luhn check",
        "version 2.4.1 shipped 2026-03-14 at 10:45",
        "code AB12 is a coupon, not an IBAN",
        "I need 2 pairs, 3 items, by 5pm",
    ],
)
def test_keeps_identifiers_and_non_pii(text: str) -> None:
    assert redact(text) == text


def test_spans_do_not_overlap_and_carry_positions() -> None:
    text = "cvc: 437 5555 3678 3775 1970 exp 12/29, ssn: 513 - 39 - 6846 4242424242424242"
    spans = find_pii(text)
    assert [s.kind for s in spans] == ["CVV", "CARD", "SSN", "CARD"]
    for span in spans:
        assert text[span.start : span.end] == span.text
    for left, right in itertools.pairwise(spans):
        assert left.end <= right.start


def test_luhn() -> None:
    assert luhn_valid("4242424242424242") and luhn_valid("378282246310005")
    assert not luhn_valid("4242424242424241")


def test_redaction_is_idempotent() -> None:
    once = redact("me@x.io, 415-555-2671, 4242424242424242, ssn 123-45-6789, 1 Main St")
    assert redact(once) == once


def test_synthetic_sample_recall_and_keep() -> None:
    """On a sample of the benchmark's set every piece is found and every identifier kept."""
    samples = generate(150, seed=7)
    missed, lost = [], []
    for sample in samples:
        spans = find_pii(sample.text)
        redacted = redact(sample.text)
        for piece in sample.spans:
            if not any(s.start <= piece.start and piece.end <= s.end for s in spans):
                missed.append(piece.text)
        lost.extend(value for value in sample.kept if value not in redacted)
    assert len(missed) <= 0.02 * sum(len(s.spans) for s in samples), missed
    assert lost == []
