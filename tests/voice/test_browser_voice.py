"""The browser voice mode over `/v1/voice`: speech in, transcripts, reply text and speech out."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.voice.speech import frames, utterance

QUESTION = "Where is my order number 1 2 3 4 5 6 7?"


def _token(api: Any) -> str:
    return api.customer()["Authorization"].split()[1]


def _collect(socket: Any, until: str, audio_bytes: int = 1) -> tuple[list[dict], bytes]:
    """Read events and audio until an event of type `until` and some audio have arrived."""
    events: list[dict] = []
    audio = b""
    while not (any(e["type"] == until for e in events) and len(audio) >= audio_bytes):
        message = socket.receive()
        if message.get("bytes") is not None:
            audio += message["bytes"]
        elif message.get("text") is not None:
            import json

            events.append(json.loads(message["text"]))
        else:
            raise AssertionError(f"socket closed: {message}")
    return events, audio


def test_a_spoken_question_gets_a_spoken_answer(api):
    with api.client.websocket_connect(f"/v1/voice?access_token={_token(api)}") as socket:
        ready = socket.receive_json()
        assert ready["type"] == "ready" and ready["sample_rate"] == 16000
        for frame in frames(utterance(QUESTION)):
            socket.send_bytes(frame)
        events, audio = _collect(socket, "reply", audio_bytes=ready["reply_sample_rate"])
    transcripts = [e for e in events if e["type"] == "transcript"]
    partial = [e["text"] for e in transcripts if not e["final"]]
    final = [e["text"] for e in transcripts if e["final"]]
    assert partial and partial[0].strip()
    assert len(final) == 1 and "order" in final[0].lower() and "1234567" in final[0]
    reply = next(e["text"] for e in events if e["type"] == "reply")
    assert "#W1234567" in reply and "pending" in reply
    spoken = [e["text"] for e in events if e["type"] == "reply_sentence"]
    assert spoken and reply.startswith(spoken[0])
    assert len(audio) % 2 == 0 and any(audio)  # PCM16, not silence
    stored = api.client.app.state.runtime.store.events_after(ready["conversation_id"], 0)
    assert stored[0][1] == {"type": "customer_message", "text": final[0]}


def test_speaking_over_the_reply_stops_it_and_marks_what_was_not_heard(api):
    with api.client.websocket_connect(f"/v1/voice?access_token={_token(api)}") as socket:
        ready = socket.receive_json()
        for frame in frames(utterance(QUESTION)):
            socket.send_bytes(frame)
        before, _audio = _collect(socket, "reply_sentence")
        for frame in frames(utterance("Wait, stop please.", trailing_ms=0)):
            socket.send_bytes(frame)
        after, _more = _collect(socket, "speech_interrupted", audio_bytes=0)
    assert "audio_stop" in [e["type"] for e in after]
    interrupted = next(e for e in after if e["type"] == "speech_interrupted")
    reply_start = next(e["text"] for e in before if e["type"] == "reply_sentence")
    assert reply_start in interrupted["unheard"]
    assert [e["type"] for e in after].index("audio_stop") < [e["type"] for e in after].index(
        "speech_interrupted"
    )
    stored = api.client.app.state.runtime.store.events_after(ready["conversation_id"], 0)
    assert {"type": "speech_interrupted", **{k: interrupted[k] for k in ("heard", "unheard")}} in [
        event for _seq, event in stored
    ]


def test_the_voice_socket_refuses_bad_tokens_staff_and_bad_frames(api):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        api.client.websocket_connect("/v1/voice?access_token=nope"),
    ):
        pass
    assert refused.value.code == 4401
    agent = api.agent()["Authorization"].split()[1]
    with (
        pytest.raises(WebSocketDisconnect) as staff,
        api.client.websocket_connect(f"/v1/voice?access_token={agent}"),
    ):
        pass
    assert staff.value.code == 4403
    with (
        pytest.raises(WebSocketDisconnect) as missing,
        api.client.websocket_connect(f"/v1/voice?access_token={_token(api)}&conversation_id=nope"),
    ):
        pass
    assert missing.value.code == 4404
    with api.client.websocket_connect(f"/v1/voice?access_token={_token(api)}") as socket:
        socket.receive_json()
        socket.send_bytes(b"\x01\x02\x03")
        closing = socket.receive()
    assert closing["type"] == "websocket.close" and closing["code"] == 4400
