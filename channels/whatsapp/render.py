"""Replies in WhatsApp's own formatting, split to its message length limit.

WhatsApp shows ``*bold*``, ``_italic_``, ``~strike~`` and ``` ``code`` ```, but not Markdown
links, headings or ``**double**`` emphasis: links become ``label (url)`` (WhatsApp makes
the bare URL tappable), headings become bold lines. A text message holds at most 4,096
characters; longer replies become several messages, split between paragraphs or sentences.
"""

from __future__ import annotations

import re

from channels.splitting import split_text

TEXT_LIMIT = 4096
"""Characters in one WhatsApp text message body."""

BUTTON_BODY_LIMIT = 1024
"""Characters in the body of an interactive reply-button message."""

BUTTON_TITLE_LIMIT = 20
"""Characters in a reply button's title."""

_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[*+]\s+", re.MULTILINE)


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1), match.group(2)
    return url if label.strip() == url else f"{label} ({url})"


def to_whatsapp(markdown: str) -> str:
    """Convert the drafter's Markdown into WhatsApp formatting."""
    text = _LINK.sub(_link, markdown)
    text = _BULLET.sub(r"\1- ", text)
    text = _EMPHASIS.sub(r"_\1_", text)  # single-star italics first: bold uses one star
    text = _STRONG.sub(r"*\2*", text)
    text = _STRIKE.sub(r"~\1~", text)
    text = _HEADING.sub(r"*\1*", text)
    return text.strip()


def render_text(markdown: str, limit: int = TEXT_LIMIT) -> list[str]:
    """The reply as WhatsApp text messages, each within `limit` characters."""
    return split_text(to_whatsapp(markdown), lambda piece: len(piece) <= limit)
