"""Messages that are only files: recognised, handed to a person by the rules, read by a model."""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from graphs.messages import only_attachments
from graphs.routing import model_route
from graphs.turns import customer_input

PHOTO = {"id": "a1", "filename": "damage.png", "content_type": "image/png", "size": 3000}


def _message(text: str, attachments: list[dict[str, object]]) -> HumanMessage:
    message = customer_input(text, "web", attachments)["messages"][0]
    assert isinstance(message, HumanMessage)
    return message


def test_files_without_words_are_recognised():
    assert only_attachments(_message("", [PHOTO]))
    assert only_attachments(_message("  ", [PHOTO, {**PHOTO, "id": "a2"}]))


def test_words_or_no_files_are_not_only_attachments():
    assert not only_attachments(_message("it arrived broken", [PHOTO]))
    assert not only_attachments(_message("hello", []))
    assert not only_attachments(HumanMessage(content="[customer attached x.png (image/png, 1 KB)]"))


def test_a_planning_model_reads_the_files_note_itself():
    assert model_route("handoff", "attachment_only") == ("agent", None)
    assert model_route("handoff", "explicit_request") == ("handoff", "explicit_request")
