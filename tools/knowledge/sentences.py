"""Split article text into the sentences that could be quoted as an answer.

Text is read as light Markdown: headings, horizontal rules and fenced code are skipped,
list items are their own units, and paragraphs are split into sentences without breaking
common abbreviations. Questions, very short fragments and lead-ins ending with a colon
are not answers on their own; a lead-in is kept joined to the short list that follows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MIN_WORDS = 4
MIN_CHARS = 20
MAX_JOINED_ITEMS = 8
MAX_JOINED_CHARS = 320

_ABBREVIATIONS_TEXT = """
e.g i.e etc vs approx incl no nos dept est min max mr mrs ms dr st jr sr inc ltd co
jan feb mar apr jun jul aug sep sept oct nov dec u.s
"""
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_RULE = re.compile(r"^\s*(?:[-=*_]\s*){3,}$")
_OPENERS = "\"'(“‘"


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping common abbreviations intact."""
    text = re.sub(r"\s+", " ", text).strip()
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        following = text[end : end + 1]
        if following and not (following.isupper() or following.isdigit() or following in _OPENERS):
            continue
        words = text[start : match.start()].split()
        last_word = words[-1].lower().rstrip(".") if words else ""
        if match.group(0).startswith(".") and last_word in _ABBREVIATIONS:
            continue
        sentences.append(text[start:end].strip())
        start = end
    if start < len(text):
        sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def blocks(text: str) -> Iterator[tuple[str, bool]]:
    """Yield `(text, is_list_item)` for each paragraph and list item of `text`.

    Headings, horizontal rules and fenced code are skipped; a line that directly follows
    a list item without a marker of its own continues that item. Table rows count as
    list items.
    """
    current: list[str] = []
    is_item = False
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        starts_item = bool(_LIST_MARKER.match(line)) or stripped.startswith("|")
        ends_block = not stripped or bool(_HEADING.match(line) or _RULE.match(line))
        if (ends_block or starts_item) and current:
            yield " ".join(current), is_item
            current = []
        if ends_block:
            continue
        if starts_item:
            is_item = True
            stripped = _LIST_MARKER.sub("", stripped).strip("| ").replace(" | ", "; ")
        elif not current:
            is_item = False
        current.append(stripped)
    if current:
        yield " ".join(current), is_item


def is_answer_like(sentence: str) -> bool:
    """Tell whether a sentence can stand alone as an answer (long enough, not a question)."""
    if len(sentence) < MIN_CHARS or len(sentence.split()) < MIN_WORDS:
        return False
    return not sentence.rstrip("\"'”’) ").endswith(("?", ":"))


def join_list(lead_in: str, items: list[str]) -> str:
    """Join a lead-in ending with a colon and the list items after it into one sentence."""
    parts = [item.rstrip(" .;,") for item in items]
    return f"{lead_in} {'; '.join(parts)}."


def candidate_sentences(text: str) -> list[str]:
    """Return the sentences of `text` that could serve as an answer, in order.

    A lead-in that ends with a colon is returned joined to the short list that follows
    it ("We accept: credit cards; PayPal accounts; gift cards."), since on its own it
    answers nothing; the list items are also candidates by themselves.
    """
    units = list(blocks(text))
    out: list[str] = []
    for index, (unit, is_item) in enumerate(units):
        sentences = split_sentences(unit)
        out.extend(sentence for sentence in sentences if is_answer_like(sentence))
        if is_item or not sentences or not sentences[-1].endswith(":"):
            continue
        items: list[str] = []
        for follower, follower_is_item in units[index + 1 :]:
            if not follower_is_item:
                break
            items.append(follower)
        if not items or len(items) > MAX_JOINED_ITEMS:
            continue
        joined = join_list(sentences[-1], items)
        if len(joined) <= MAX_JOINED_CHARS:
            out.append(joined)
    return out
