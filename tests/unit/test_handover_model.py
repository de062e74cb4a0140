"""The model-written handover note: the model's answer read whatever its content shape."""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage

from graphs.handover_model import model_handover
from tests.fakes import scripted

TRANSCRIPT = [("customer", "where is my order #W1234567?"), ("assistant", "It is on its way.")]
WRITTEN = {"summary": "Alex asks about #W1234567.", "reply": "Hi Alex, checking #W1234567 now."}


def test_an_answer_in_content_blocks_is_read_like_a_plain_one() -> None:
    blocks = AIMessage(content=[{"type": "text", "text": json.dumps(WRITTEN)}])
    for reply in (json.dumps(WRITTEN), blocks):
        assert model_handover(scripted(reply), TRANSCRIPT, "facts") == WRITTEN
