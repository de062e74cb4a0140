"""Cut a reply streaming in as tokens into sentences, so each can be spoken once drafted."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (or a line break) followed by white space; "$12.50" and
# "#W123.4" do not end one, since no space follows the dot.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
MIN_CHARS = 12
"""Shorter pieces ("Hi!") are joined with the next so the speech does not stutter."""


class SentenceSplitter:
    """Accumulates tokens and hands back each sentence as soon as it is complete."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[str]:
        """Add a token; return the sentences it completed."""
        self._buffer += text
        sentences: list[str] = []
        start = 0
        for match in _BOUNDARY.finditer(self._buffer):
            piece = self._buffer[start : match.end()].strip()
            if len(piece) >= MIN_CHARS:
                sentences.append(piece)
                start = match.end()
        self._buffer = self._buffer[start:]
        return sentences

    def flush(self) -> str:
        """The rest of the reply (the end of the last sentence), emptying the buffer."""
        rest, self._buffer = self._buffer.strip(), ""
        return rest
