"""Amazon Transcribe streaming and Amazon Polly engines against loopback endpoints speaking
their protocols (Transcribe: HTTP/2 + TLS + event-stream frames; Polly: REST-JSON)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channels.voice.aws import PollyTextToSpeech, TranscribeSpeechToText
from tests.loopback import free_port
from tests.transcribe_stub import TranscribeStub
from tests.voice.speech import frames, utterance

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDLOOPBACK")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "loopback-secret")


@pytest.fixture
def transcribe(tmp_path, aws_credentials) -> Iterator[TranscribeStub]:
    stub = TranscribeStub(tmp_path, partial="where is", final="Where is my order?")
    stub.start()
    yield stub
    stub.stop()


async def test_transcribe_streams_audio_events_and_reads_partial_and_final_results(transcribe):
    engine = TranscribeSpeechToText(
        region="us-east-1", endpoint_url=transcribe.url, ca_file=str(transcribe.cert)
    )
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    audio = utterance("Where is my order?")
    stream = await engine.open(on_partial)
    for frame in frames(audio, 3200):
        await stream.feed(frame)
    final = await stream.finish()
    assert final == "Where is my order?"
    assert partials == ["where is"]
    assert bytes(transcribe.audio) == audio
    assert transcribe.versions == ["2"]  # HTTP/2, as the real service requires
    request = transcribe.requests[0]
    assert request["x-amzn-transcribe-language-code"] == "en-US"
    assert request["x-amzn-transcribe-sample-rate"] == "16000"
    assert "/us-east-1/transcribe/aws4_request" in request["authorization"]
    assert transcribe.frames == len(frames(audio, 3200)) + 1  # plus the end-of-stream frame


class PollyStub:
    """`POST /v1/speech` answering with PCM: a tone as long as the text has words."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.audio: list[bytes] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(routes=[Route("/v1/speech", self.speech, methods=["POST"])])
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def speech(self, request: Request) -> Response:
        body = json.loads(await request.body())
        self.requests.append({"body": body, "auth": request.headers.get("authorization", "")})
        if body.get("OutputFormat") != "pcm" or not body.get("Text"):
            return JSONResponse(
                {"__type": "InvalidParameterValueException", "message": "bad request"}, 400
            )
        rate = int(body["SampleRate"])
        seconds = 0.25 * len(body["Text"].split())
        tone = np.sin(2 * np.pi * 220 * np.arange(int(rate * seconds)) / rate)
        pcm = (tone * 8000).astype("<i2").tobytes()
        self.audio.append(pcm)
        return Response(
            pcm,
            media_type="audio/pcm",
            headers={"x-amzn-RequestCharacters": str(len(body["Text"]))},
        )

    def __enter__(self) -> PollyStub:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


async def test_polly_synthesizes_pcm_and_streams_it_in_chunks(aws_credentials):
    with PollyStub() as polly:
        engine = PollyTextToSpeech(
            region="us-east-1", voice_id="Matthew", engine="neural", endpoint_url=polly.url
        )
        chunks = [chunk async for chunk in engine.synthesize("Your order is on its way.")]
    assert len(chunks) > 1 and b"".join(chunks) == polly.audio[0]
    assert polly.requests[0]["body"] == {
        "Engine": "neural",
        "OutputFormat": "pcm",
        "SampleRate": "16000",
        "Text": "Your order is on its way.",
        "VoiceId": "Matthew",
    }
    assert polly.requests[0]["auth"].startswith("AWS4-HMAC-SHA256 Credential=AKIDLOOPBACK/")
    assert engine.sample_rate == 16000
