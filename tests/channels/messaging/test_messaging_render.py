"""Rendering replies for WhatsApp and SMS: formatting, segments, splitting, keywords."""

from __future__ import annotations

import pytest

from channels.sms.keywords import keyword
from channels.sms.render import render_sms, segments, to_plain_text
from channels.splitting import split_text
from channels.whatsapp.render import render_text, to_whatsapp


def test_markdown_becomes_whatsapp_formatting():
    markdown = (
        "## Your order\n**#W1234567** is *pending*; see [Returns policy](https://help.example/returns)"
        " or ~~call~~ write.\n* first\n* second"
    )
    assert to_whatsapp(markdown) == (
        "*Your order*\n*#W1234567* is _pending_; see Returns policy (https://help.example/returns)"
        " or ~call~ write.\n- first\n- second"
    )


def test_a_link_whose_label_is_its_url_is_written_once():
    assert to_whatsapp("[https://x.example/a](https://x.example/a)") == "https://x.example/a"


def test_long_whatsapp_replies_split_between_paragraphs_within_the_limit():
    paragraphs = [f"Paragraph {n}. " + "word " * 150 for n in range(12)]
    messages = render_text("\n\n".join(paragraphs))
    assert len(messages) > 1
    assert all(len(m) <= 4096 for m in messages)
    assert all(m.startswith("Paragraph") for m in messages)  # no paragraph was cut
    assert " ".join(" ".join(messages).split()) == " ".join(" ".join(paragraphs).split())


def test_a_paragraph_longer_than_a_message_splits_between_sentences():
    sentences = [f"Sentence number {n} is here." for n in range(40)]
    pieces = split_text(" ".join(sentences), lambda piece: len(piece) <= 100)
    assert all(len(p) <= 100 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert " ".join(pieces) == " ".join(sentences)


def test_an_unbreakable_word_is_cut_as_a_last_resort():
    pieces = split_text("x" * 250, lambda piece: len(piece) <= 100)
    assert [len(p) for p in pieces] == [100, 100, 50]


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets each
        ("€" * 81, "GSM-7", 2),
        ("é" * 160, "GSM-7", 1),  # é is in the GSM-7 basic table
        ("ç" * 70, "UCS-2", 1),  # ç (lower case) is not
        ("ç" * 71, "UCS-2", 2),
        ("ç" * 134, "UCS-2", 2),
        ("ç" * 135, "UCS-2", 3),
        ("👍" * 35, "UCS-2", 1),  # an emoji is two UTF-16 code units
        ("👍" * 36, "UCS-2", 2),
    ],
)
def test_segment_count_follows_the_encoding(text, encoding, count):
    result = segments(text)
    assert (result.encoding, result.count) == (encoding, count)


def test_sms_text_is_plain_and_split_into_bounded_messages():
    assert to_plain_text("**Order** _#W1_ [track](https://t.example/1)") == (
        "Order #W1 track (https://t.example/1)"
    )
    long_reply = " ".join(f"Line {n} of the reply explains one more thing." for n in range(30))
    messages = render_sms(long_reply, max_segments=2)
    assert len(messages) > 1
    assert all(segments(m).count <= 2 for m in messages)
    assert " ".join(messages) == long_reply


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("STOP", "opt_out"),
        (" stop ", "opt_out"),
        ("Unsubscribe", "opt_out"),
        ("start", "opt_in"),
        ("YES", "opt_in"),
        ("help", "help"),
        ("info?", "help"),
        ("please stop sending", None),
        ("where is my order", None),
    ],
)
def test_keywords_are_whole_messages(body, expected):
    assert keyword(body) == expected
