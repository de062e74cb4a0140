"""A phone call through Twilio: the voice webhook's TwiML, then a Media Streams WebSocket
speaking Twilio's own messages (`connected`, `start`, base64 μ-law `media`, `stop`) to the
server running on loopback."""

from __future__ import annotations

import base64
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from twilio.request_validator import RequestValidator
from websockets.sync.client import connect

from channels.voice.audio import pcm16_to_ulaw, resample, ulaw_to_pcm16
from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from tests.loopback import free_port
from tests.voice.speech import utterance

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

AUTH_TOKEN = "twilio-test-auth-token"
CALL = {
    "AccountSid": "AC" + "0" * 32,
    "CallSid": "CA" + "1" * 32,
    "From": "+14155550123",
    "To": "+14155550999",
    "CallStatus": "ringing",
    "Direction": "inbound",
    "ApiVersion": "2010-04-01",
}


@pytest.fixture
def live(settings: Settings, services: Services) -> Iterator[dict[str, Any]]:
    settings.twilio_auth_token = SecretStr(AUTH_TOKEN)
    settings.rate_limit_per_minute = 1000
    app = create_app(settings, services)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "app": app}
    server.should_exit = True
    thread.join(10)


def _answer_call(url: str) -> httpx.Response:
    webhook = f"{url}/v1/voice/twilio"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(webhook, CALL)
    return httpx.post(webhook, data=CALL, headers={"X-Twilio-Signature": signature})


def _media(stream_sid: str, pcm16k: bytes) -> Iterator[str]:
    """The caller's audio as Twilio sends it: 20 ms of 8 kHz μ-law per `media` message."""
    ulaw = pcm16_to_ulaw(resample(pcm16k, 16_000, 8_000))
    for chunk, start in enumerate(range(0, len(ulaw), 160), start=1):
        yield json.dumps(
            {
                "event": "media",
                "sequenceNumber": str(chunk + 2),
                "media": {
                    "track": "inbound",
                    "chunk": str(chunk),
                    "timestamp": str(start // 8),
                    "payload": base64.b64encode(ulaw[start : start + 160]).decode(),
                },
                "streamSid": stream_sid,
            }
        )


def _wait_for_done(app: Any, conversation_id: str, timeout: float = 120) -> list[dict]:
    store = app.state.runtime.store
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = [event for _seq, event in store.events_after(conversation_id, 0)]
        if any(e["type"] in ("done", "error") for e in events):
            return events
        time.sleep(0.1)
    raise AssertionError("the turn did not finish")


def test_a_phone_call_is_answered_over_media_streams(live):
    answer = _answer_call(live["url"])
    assert answer.status_code == 200
    stream = ET.fromstring(answer.text).find("./Connect/Stream")
    assert stream is not None
    token = stream.find("./Parameter[@name='token']").get("value")
    stream_sid = "MZ" + "2" * 32
    with connect(stream.get("url").replace("ws://", "ws://", 1)) as socket:
        socket.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        start = {
            "event": "start",
            "sequenceNumber": "1",
            "start": {
                "accountSid": CALL["AccountSid"],
                "streamSid": stream_sid,
                "callSid": CALL["CallSid"],
                "tracks": ["inbound"],
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                "customParameters": {"token": token},
            },
            "streamSid": stream_sid,
        }
        socket.send(json.dumps(start))
        greeting = json.loads(socket.recv(timeout=30))
        assert greeting["event"] == "media" and greeting["streamSid"] == stream_sid
        assert any(ulaw_to_pcm16(base64.b64decode(greeting["media"]["payload"])))
        for message in _media(stream_sid, utterance("Where is my order number 1 2 3 4 5 6 7?")):
            socket.send(message)
        replies: list[dict] = []
        while not any(m["event"] == "clear" for m in replies):  # the caller spoke over it
            replies.append(json.loads(socket.recv(timeout=30)))
        conversation = live["app"].state.runtime.store.list_conversations(None, 5, 0)
        conversation_id = next(c["id"] for c in conversation if c["channel"] == "voice")
        events = _wait_for_done(live["app"], conversation_id)
        spoken_reply = json.loads(socket.recv(timeout=30))
        socket.send(json.dumps({"event": "stop", "sequenceNumber": "99", "streamSid": stream_sid}))
    assert spoken_reply["event"] == "media"
    assert events[0] == {
        "type": "status",
        "text": "Phone call from +14155550123 (caller id, not verified).",
    }
    assert not any(e["type"] == "speech_interrupted" for e in events)  # a greeting is no reply
    asked = next(e for e in events if e["type"] == "customer_message")
    # Heard over 8 kHz μ-law. How much trailing silence the final transcript covers depends
    # on whether a partial one was still running at the pause, so a small word may differ.
    heard = asked["text"].lower()
    assert heard.startswith("where") and "my order" in heard
    done = next(e for e in events if e["type"] == "done")
    # a caller is not signed in: the order is read only once they identify
    assert "email" in done["reply"].lower() and "pending" not in done["reply"]


def test_the_webhook_and_the_stream_refuse_forged_requests(live):
    forged = httpx.post(
        f"{live['url']}/v1/voice/twilio", data=CALL, headers={"X-Twilio-Signature": "bad"}
    )
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["code"] == "bad_signature"
    ws_url = live["url"].replace("http://", "ws://") + "/v1/voice/twilio/stream"
    with connect(ws_url) as socket:
        socket.send(json.dumps({"event": "start", "start": {"customParameters": {"token": "x"}}}))
        with pytest.raises(Exception) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd.code == 4401
