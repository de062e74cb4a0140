"""Tidy a spoken transcript so the text tools read it like typed text.

Recognisers write a number read digit by digit as "1, 2, 3, 4" or "one two three four";
order ids and zip codes are such numbers, so runs of three or more single digits are joined
("order number 1234567").
"""

from __future__ import annotations

import re

_WORDS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_DIGIT = r"(?:\d|zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_RUN = re.compile(rf"\b{_DIGIT}(?:[\s,.-]+{_DIGIT}\b){{2,}}(?![\d])", re.IGNORECASE)
_SINGLE = re.compile(_DIGIT, re.IGNORECASE)


def normalize_spoken(text: str) -> str:
    """`text` with digit-by-digit numbers written as one number."""

    def join(match: re.Match[str]) -> str:
        return "".join(_WORDS.get(d.lower(), d) for d in _SINGLE.findall(match.group(0)))

    return _RUN.sub(join, text)
