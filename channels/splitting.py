"""Split a long reply into messages that each fit a channel's limit, at natural breaks.

Paragraphs are kept whole when they fit; a paragraph that does not is split between
sentences, and a sentence longer than a message between words (a word longer than a
message, such as a long link, is cut as a last resort).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.!?…])\s+")

Fits = Callable[[str], bool]
"""Whether a piece of text fits in one message."""


def _pack(pieces: list[str], fits: Fits, joiner: str) -> list[str]:
    """Greedily join consecutive pieces while the result still fits."""
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if fits(candidate):
            current = candidate
            continue
        if current:
            messages.append(current)
        current = piece
    if current:
        messages.append(current)
    return messages


def _cut(word: str, fits: Fits) -> list[str]:
    """Cut one unbreakable piece into the longest prefixes that fit."""
    parts: list[str] = []
    while word:
        end = len(word)
        while end > 1 and not fits(word[:end]):
            end -= 1
        parts.append(word[:end])
        word = word[end:]
    return parts


def _words(sentence: str, fits: Fits) -> list[str]:
    pieces: list[str] = []
    for word in sentence.split():
        pieces.extend([word] if fits(word) else _cut(word, fits))
    return _pack(pieces, fits, " ")


def _sentences(paragraph: str, fits: Fits) -> list[str]:
    pieces: list[str] = []
    for sentence in _SENTENCES.split(paragraph):
        pieces.extend([sentence] if fits(sentence) else _words(sentence, fits))
    return _pack(pieces, fits, " ")


def split_text(text: str, fits: Fits) -> list[str]:
    """`text` as a list of messages that each satisfy `fits` (empty text: no message)."""
    text = text.strip()
    if not text:
        return []
    if fits(text):
        return [text]
    pieces: list[str] = []
    for paragraph in _PARAGRAPHS.split(text):
        paragraph = paragraph.strip()
        if paragraph:
            pieces.extend([paragraph] if fits(paragraph) else _sentences(paragraph, fits))
    return _pack(pieces, fits, "\n\n")
