"""The line the model reads for an attached file, and the words the rule path reads."""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from graphs.context import Context
from graphs.messages import customer_words
from graphs.turns import customer_input, stream_turn

PHOTO = {"id": "att_1", "filename": "photo.jpg", "content_type": "image/jpeg", "size": 122_880}
PDF = {"id": "att_2", "filename": "receipt.pdf", "content_type": "application/pdf", "size": 532}


def test_the_model_reads_one_line_per_file_and_nothing_else() -> None:
    [message] = customer_input("it arrived broken", "web", [PHOTO, PDF])["messages"]
    assert message.content == (
        "it arrived broken\n\n"
        "[customer attached photo.jpg (image/jpeg, 120 KB)]\n"
        "[customer attached receipt.pdf (application/pdf, 532 bytes)]"
    )
    assert message.additional_kwargs == {"attachments": [PHOTO, PDF]}
    [plain] = customer_input("hello", "web")["messages"]
    assert plain.content == "hello" and plain.additional_kwargs == {}


def test_rules_read_the_words_without_the_file_lines() -> None:
    [message] = customer_input("here is my receipt", "web", [PDF])["messages"]
    assert customer_words(message) == "here is my receipt"
    [only_file] = customer_input("", "web", [PHOTO])["messages"]
    assert customer_words(only_file) == "[customer attached photo.jpg (image/jpeg, 120 KB)]"
    quoted = HumanMessage(content="I wrote [customer attached x] in the middle, see")
    assert customer_words(quoted) == "I wrote [customer attached x] in the middle, see"


def test_a_file_name_does_not_steer_the_rule_path(graph) -> None:
    receipt = {**PDF, "filename": "customer_account_human.pdf"}
    context = Context(customer_id="alex_morgan_1001", model="")
    replies = []
    for thread, attachments in (("plain", []), ("with-file", [receipt])):
        turn = customer_input("here is my receipt", "test", attachments)
        events = list(stream_turn(graph, thread, turn, context))
        replies.append((events[-1]["intent"], events[-1]["reply"]))
    assert replies[0] == replies[1]
