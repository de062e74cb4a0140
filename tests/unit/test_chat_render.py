"""The terminal chat renders replies as Markdown, wrapped at word boundaries."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

import cli.chat as chat

REPLY = (
    "**Order #W1234567** is *pending*. Refunds take five to seven business days after "
    "we receive the return.\n\n- first step\n- second step"
)


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(chat, "console", Console(file=out, width=40, highlight=False))
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z#0-9]+", text)


def test_a_streamed_reply_is_rendered_as_markdown_and_wrapped_by_word(screen) -> None:
    renderer = chat.Renderer()
    for start in range(0, len(REPLY), 7):  # tokens cut words in half
        renderer.render({"type": "token", "text": REPLY[start : start + 7]})
    renderer.render({"type": "done"})
    printed = screen.getvalue()
    lines = printed.splitlines()
    assert lines[0].startswith("tandem › Order #W1234567 is pending.")
    assert "**" not in printed and "*pending*" not in printed
    assert any(line.strip() == "• first step" for line in lines)
    assert all(len(line) <= 40 for line in lines)
    assert _words(printed) == ["tandem", *_words(REPLY)]  # no word was split across lines
    assert renderer.turn_over.is_set()


def test_an_agent_message_is_rendered_the_same_way(screen) -> None:
    chat.Renderer().render(
        {"type": "agent_message", "agent": "Alice", "text": "I have **refunded** the order now."}
    )
    printed = screen.getvalue()
    assert printed.startswith("Alice (agent) › I have refunded")
    assert "**" not in printed
