"""A synthetic set of customer messages with the personal data in them known by position.

`generate(count, seed)` writes varied support messages from sentence templates: each
holds one to three pieces of personal data (cards with valid check digits in several
groupings, CVVs, SSNs, phone numbers in national and international formats, emails,
IBANs with valid check digits, dates of birth, street addresses) among the identifiers
the order tools need (order ids, ten-digit item ids, amounts, zip codes). Every sample
records where each piece of personal data is and which identifiers must survive
redaction, so a redactor's recall and its keep rate can be measured exactly. The same
seed always gives the same set.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from schwifty import IBAN

from tools.pii_detect import luhn_valid

DEFAULT_SEED = 20261207
"""The seed of the published set."""


@dataclass(frozen=True)
class GoldSpan:
    """A piece of personal data in a sample: its kind and character offsets."""

    kind: str
    start: int
    end: int
    text: str


@dataclass
class Sample:
    """One customer message, its personal data and the identifiers that must be kept."""

    text: str = ""
    spans: list[GoldSpan] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def add(self, piece: str, kind: str | None = None) -> None:
        """Append `piece`, recording it as personal data of `kind` or as plain text."""
        if kind is not None:
            self.spans.append(GoldSpan(kind, len(self.text), len(self.text) + len(piece), piece))
        self.text += piece


_FIRST = ["Yusuf", "Mei", "Olivia", "Raj", "Sofia", "Liam", "Aisha", "Noah", "Chen", "Ivan"]
_LAST = ["Rossi", "Kim", "Garcia", "Patel", "Novak", "Smith", "Haddad", "Okafor", "Lee"]
_DOMAINS = ["example.com", "mail.example.org", "gmail.com", "outlook.co.uk", "corp.io"]
_STREETS = ["Oak", "Maple", "Sunset", "Pennsylvania", "Evergreen", "Elm", "Cedar Hill"]
_SUFFIXES = ["Street", "St", "Ave", "Avenue", "Road", "Rd", "Blvd", "Lane", "Drive", "Court"]
_MONTHS = ["January", "March", "June", "August", "October", "December", "Feb", "Sept"]
_IBAN_BANKS = [
    ("DE", "37040044", "", 10),
    ("GB", "NWBK", "601613", 8),
    ("NL", "ABNA", "", 10),
    ("FR", "20041", "01005", 11),
]


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _luhn_complete(prefix: str, rng: random.Random, length: int) -> str:
    body = prefix + _digits(rng, length - len(prefix) - 1)
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def card(rng: random.Random) -> str:
    """A card number with valid check digit, written whole or grouped."""
    if rng.random() < 0.2:
        number = _luhn_complete(rng.choice(["34", "37"]), rng, 15)
        sep = rng.choice([" ", "-", ""])
        return sep.join([number[:4], number[4:10], number[10:]])
    number = _luhn_complete(rng.choice(["4", "51", "55", "6011"]), rng, 16)
    style = rng.choice(["whole", "space", "dash", "mixed", "pairs"])
    if style == "whole":
        return number
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    if style == "space":
        return " ".join(groups)
    if style == "dash":
        return "-".join(groups)
    if style == "pairs":
        return " ".join(number[i : i + 2] for i in range(0, 16, 2))
    return f"{groups[0]} {groups[1]}-{groups[2]} {groups[3]}"


def ssn(rng: random.Random) -> str:
    """A plausible SSN with any of the usual separators."""
    area = str(rng.randint(1, 899)).zfill(3).replace("666", "667")
    group, serial = str(rng.randint(1, 99)).zfill(2), str(rng.randint(1, 9999)).zfill(4)
    sep = rng.choice(["-", " ", "", ".", " - "])
    return f"{area}{sep}{group}{sep}{serial}"


def phone(rng: random.Random) -> str:
    """A phone number in a US or international format."""
    area, exchange, line = rng.randint(201, 989), rng.randint(200, 989), _digits(rng, 4)
    return rng.choice(
        [
            f"({area}) {exchange}-{line}",
            f"{area}-{exchange}-{line}",
            f"{area}.{exchange}.{line}",
            f"+1 {area} {exchange} {line}",
            f"1-{area}-{exchange}-{line}",
            f"+44 20 7946 {line}",
            f"+49 30 {rng.randint(1000000, 9999999)}",
        ]
    )


def email(rng: random.Random) -> str:
    """An email address."""
    first, last = rng.choice(_FIRST).lower(), rng.choice(_LAST).lower()
    local = rng.choice([f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first}+shop"])
    return f"{local}@{rng.choice(_DOMAINS)}"


def iban(rng: random.Random) -> str:
    """An IBAN with valid check digits, compact or in groups of four."""
    country, bank, branch, length = rng.choice(_IBAN_BANKS)
    value = IBAN.generate(
        country, bank_code=bank, branch_code=branch, account_code=_digits(rng, length)
    )
    return value.formatted if rng.random() < 0.5 else value.compact


def dob(rng: random.Random) -> str:
    """A date of birth in one of the common spellings."""
    year, month, day = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
    name = rng.choice(_MONTHS)
    return rng.choice(
        [
            f"{month:02d}/{day:02d}/{year}",
            f"{year}-{month:02d}-{day:02d}",
            f"{name} {day}, {year}",
            f"{day} {name} {year}",
            f"{month}-{day}-{year}",
        ]
    )


def address(rng: random.Random) -> str:
    """A street address, sometimes with a unit, or a PO box."""
    if rng.random() < 0.1:
        return f"PO Box {rng.randint(10, 9999)}"
    street = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)} {rng.choice(_SUFFIXES)}"
    if rng.random() < 0.3:
        street += rng.choice([", Apt ", " Suite ", ", Unit "]) + str(rng.randint(1, 999))
    return street


_PII: dict[str, tuple[Callable[[random.Random], str], list[str]]] = {
    "CARD": (
        card,
        [
            "My card number is {}.",
            "charge it to {} please",
            "card: {}",
            "{} exp 12/29",
            "use the visa ending... actually the full number is {}",
            "it's {}",
        ],
    ),
    "CVV": (
        lambda r: _digits(r, r.choice([3, 4])),
        ["The CVV is {}.", "security code {}", "cvc: {}", "the code on the back is {}"],
    ),
    "SSN": (
        ssn,
        ["My SSN is {}.", "social security number {}", "ssn: {}", "my social is {}"],
    ),
    "PHONE": (
        phone,
        [
            "Call me at {}.",
            "my phone is {}",
            "reach me on {} after 5pm",
            "{} is my cell",
            "or text {}",
            "contact number {}",
        ],
    ),
    "EMAIL": (
        email,
        ["My email is {}.", "you can write to {}", "email: {}", "{} (work)", "cc {}"],
    ),
    "IBAN": (iban, ["Refund to IBAN {} please.", "my bank account is {}", "wire it to {}"]),
    "DOB": (
        dob,
        ["I was born on {}.", "date of birth: {}", "DOB {}", "my birthday is {}"],
    ),
    "ADDRESS": (
        address,
        [
            "I live at {}.",
            "ship it to {}, Denver CO",
            "my address is {}",
            "deliver to {} instead",
            "{}, Springfield IL",
        ],
    ),
}

_KEEP_TEMPLATES: list[tuple[str, Callable[[random.Random], str]]] = [
    ("about order {}", lambda r: f"#W{_digits(r, 7)}"),
    ("the item {} arrived broken", lambda r: str(r.randint(10**9, 10**10 - 1))),
    ("I paid {} for it", lambda r: f"${r.randint(5, 2999)}.{_digits(r, 2)}"),
    ("it cost {}", lambda r: f"${r.randint(1, 9)},{_digits(r, 3)}.00"),
    ("my zip code is {}", lambda r: _digits(r, 5)),
    ("items {} and {}", lambda r: str(r.randint(10**9, 10**10 - 1))),
    ("order W{} too", lambda r: _digits(r, 7)),
    ("orders {} and {}", lambda r: f"#W{_digits(r, 7)}"),
    (
        "refund {} to {}",
        lambda r: r.choice([f"${r.randint(1, 500)}", f"credit_card_{_digits(r, 7)}"]),
    ),
    ("postal code {} on the label", lambda r: _digits(r, 5)),
    ("product id {}", lambda r: str(r.randint(10**9, 10**10 - 1))),
    ("the total was {} (tax {})", lambda r: f"${r.randint(10, 999)}.{_digits(r, 2)}"),
]
_OPENERS = [
    "Hi,",
    "Hello there.",
    "Hey",
    "Good morning!",
    "",
    "Please help:",
    "I ordered 2 pairs on 03/14/2026 and waited 10 days.",
    "It's been 3 weeks since I wrote at 5pm.",
]


def _sample(rng: random.Random) -> Sample:
    sample = Sample()
    pieces: list[tuple[str, str | None, str]] = []
    for kind in rng.sample(sorted(_PII), rng.randint(1, 3)):
        make, templates = _PII[kind]
        pieces.append((rng.choice(templates), kind, make(rng)))
    for template, make in rng.sample(_KEEP_TEMPLATES, rng.randint(1, 3)):
        values = [make(rng) for _ in range(template.count("{}"))]
        pieces.append((template.format(*values), None, ""))
        sample.kept.extend(values)
    rng.shuffle(pieces)
    opener = rng.choice(_OPENERS)
    sample.add(opener + (" " if opener else ""))
    for text, piece_kind, value in pieces:
        if piece_kind is None:
            sample.add(text + ". ")
            continue
        before, after = text.split("{}")
        sample.add(before)
        sample.add(value, piece_kind)
        sample.add(after + " ")
    sample.text = sample.text.rstrip()
    return sample


def generate(count: int, seed: int = DEFAULT_SEED) -> list[Sample]:
    """`count` samples, the same ones for the same seed."""
    rng = random.Random(seed)
    return [_sample(rng) for _ in range(count)]
