r"""Replies as plain SMS text, with segment counting and splitting.

An SMS segment carries 160 GSM-7 characters (153 when a message spans several segments,
the rest holds the concatenation header) or, when any character is outside the GSM-7
alphabet, 70 UCS-2 code units (67 in a multi-segment message). GSM-7's extension table
(``€ [ ] { } ^ ~ \ |``) costs two septets a character. Long replies are sent as several
messages of at most `max_segments` segments each, split at paragraphs or sentences.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

from channels.splitting import split_text

Encoding = Literal["GSM-7", "UCS-2"]

_SMART_ENCODING = str.maketrans(
    {
        "\u2014": "-", "\u2013": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b7": "-",
    }
)  # fmt: skip
"""Typographic characters outside GSM-7 and their GSM-7 look-alikes (as Twilio's Smart
Encoding replaces them): one dash must not turn a whole reply into UCS-2."""

_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[*+]\s+", re.MULTILINE)


@dataclass(frozen=True)
class Segments:
    """How an SMS body is carried: its encoding, length in units and segment count."""

    encoding: Encoding
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    count: int


def segments(text: str) -> Segments:
    """The encoding and number of segments `text` takes as one SMS."""
    try:
        units = len(text.encode("gsm03.38"))
        single, multi, encoding = 160, 153, "GSM-7"
    except UnicodeEncodeError:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    count = 1 if units <= single else math.ceil(units / multi)
    return Segments(encoding=encoding, units=units, count=count)  # type: ignore[arg-type]


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1), match.group(2)
    return url if label.strip() == url else f"{label} ({url})"


def to_plain_text(markdown: str) -> str:
    """The drafter's Markdown as plain text for SMS.

    No emphasis marks, links as `label (url)`, typographic dashes, quotes and ellipses as
    their GSM-7 look-alikes.
    """
    text = _LINK.sub(_link, markdown)
    text = _BULLET.sub(r"\1- ", text)
    text = _HEADING.sub(r"\1", text)
    previous = None
    while previous != text:  # nested emphasis (**_x_**) needs more than one pass
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text.translate(_SMART_ENCODING).strip()


def render_sms(markdown: str, max_segments: int) -> list[str]:
    """The reply as SMS bodies of at most `max_segments` segments each."""
    return split_text(to_plain_text(markdown), lambda piece: segments(piece).count <= max_segments)
