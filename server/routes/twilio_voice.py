"""Phone calls through Twilio Media Streams.

Point a Twilio number's voice webhook (HTTP POST) at `/v1/voice/twilio`. It opens a `voice`
conversation for the call and answers with TwiML `<Connect><Stream>` to
`/v1/voice/twilio/stream`, passing a one-time token as a stream parameter. Twilio then opens
that WebSocket and sends `connected`, `start`, `media` (base64 μ-law, 8 kHz) and `stop`
messages; the reply goes back as `media` messages, and a barge-in sends `clear`.

The caller is not signed in: the caller id is noted in the conversation as a hint for the
agents, and the assistant asks for an email, or a name and zip code, before it reads any
order. With `TANDEM_TWILIO_AUTH_TOKEN` set, webhooks must carry a valid X-Twilio-Signature.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response

from channels.voice.audio import Resampler, pcm16_to_ulaw, ulaw_to_pcm16
from channels.voice.call import VoiceCall
from channels.voice.speech import VoiceUnavailable
from graphs.turns import new_conversation_id
from server.problems import ApiError
from server.runtime import ServerRuntime
from server.voice import engines_for

router = APIRouter()

GREETING = (
    "Thanks for calling. To look up your orders, please tell me your email address, "
    "or your name and zip code."
)
TOKEN_TTL_SECONDS = 120
PHONE_RATE = 8000


def _pending(request_app: Any) -> dict[str, dict[str, Any]]:
    calls: dict[str, dict[str, Any]] | None = getattr(request_app.state, "twilio_calls", None)
    if calls is None:
        calls = request_app.state.twilio_calls = {}
    return calls


def _check_signature(request: Request, settings: Any, params: dict[str, str]) -> None:
    if settings.twilio_auth_token is None:
        raise ApiError(
            404, "channel_not_configured", "Twilio voice needs TANDEM_TWILIO_AUTH_TOKEN."
        )
    from twilio.request_validator import RequestValidator

    url = str(request.url)
    if settings.public_base_url:
        url = settings.public_base_url.rstrip("/") + request.url.path
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token.get_secret_value()
    if not RequestValidator(token).validate(url, params, signature):
        raise ApiError(403, "bad_signature", "The X-Twilio-Signature does not match.")


def _stream_url(request: Request, settings: Any) -> str:
    base = settings.public_base_url or str(request.base_url)
    base = base.rstrip("/").replace("https://", "wss://").replace("http://", "ws://")
    return f"{base}/v1/voice/twilio/stream"


@router.post("/v1/voice/twilio", response_class=Response, include_in_schema=False)
async def twilio_voice_webhook(request: Request) -> Response:
    """Answer an incoming call with TwiML that streams its audio to this server."""
    from twilio.twiml.voice_response import Connect, VoiceResponse

    runtime: ServerRuntime = request.app.state.runtime
    form = await request.form()
    params = {key: str(value) for key, value in form.items()}
    _check_signature(request, runtime.settings, params)
    if not params.get("CallSid"):
        raise ApiError(400, "missing_call_sid", "A Twilio voice webhook carries CallSid.")
    record = runtime.store.create_conversation(new_conversation_id(), None, "voice")
    token = secrets.token_urlsafe(24)
    calls = _pending(request.app)
    now = time.monotonic()
    for stale in [key for key, call in calls.items() if call["expires"] < now]:
        calls.pop(stale, None)
    calls[token] = {
        "conversation_id": record["id"],
        "caller": params.get("From", ""),
        "call_sid": params["CallSid"],
        "expires": now + TOKEN_TTL_SECONDS,
    }
    response = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url=_stream_url(request, runtime.settings))
    stream.parameter(name="token", value=token)
    response.append(connect)
    return Response(content=str(response), media_type="application/xml")


class TwilioTransport:
    """Sends the reply's speech as Media Streams `media` messages (8 kHz μ-law)."""

    def __init__(self, websocket: WebSocket, stream_sid: str, source_rate: int) -> None:
        self.websocket = websocket
        self.stream_sid = stream_sid
        self._resampler = Resampler(source_rate, PHONE_RATE)

    async def send_event(self, event: Mapping[str, object]) -> None:
        """Media Streams carry no text: transcripts are in the conversation's events."""

    async def send_audio(self, pcm: bytes, sample_rate: int) -> None:
        """Send a chunk of speech."""
        payload = base64.b64encode(pcm16_to_ulaw(self._resampler.convert(pcm))).decode()
        await self.websocket.send_json(
            {"event": "media", "streamSid": self.stream_sid, "media": {"payload": payload}}
        )

    async def stop_audio(self) -> None:
        """Clear the audio Twilio has buffered for the caller."""
        await self.websocket.send_json({"event": "clear", "streamSid": self.stream_sid})


async def _start_call(
    websocket: WebSocket, runtime: ServerRuntime, message: dict[str, Any]
) -> VoiceCall | None:
    start = message.get("start") or {}
    token = str((start.get("customParameters") or {}).get("token", ""))
    pending = _pending(websocket.app).pop(token, None)
    if pending is None or pending["expires"] < time.monotonic():
        await websocket.close(code=4401, reason="unknown_stream_token")
        return None
    try:
        engines = await engines_for(runtime.settings)
    except VoiceUnavailable as error:
        await websocket.close(code=4503, reason=str(error)[:120])
        return None
    conversation_id = pending["conversation_id"]
    if pending["caller"]:
        note = f"Phone call from {pending['caller']} (caller id, not verified)."
        await runtime.hub.publish(conversation_id, {"type": "status", "text": note})
    call = VoiceCall(
        runner=runtime.runner,
        conversation_id=conversation_id,
        context=runtime.context_for(None),
        engines=engines,
        transport=TwilioTransport(
            websocket, str(message.get("streamSid", "")), engines.tts.sample_rate
        ),
        silence_ms=runtime.settings.voice_silence_ms,
        allow_turn=lambda: not runtime.limiter.check(f"phone:{pending['caller']}"),
    )
    call.greet(GREETING)
    return call


@router.websocket("/v1/voice/twilio/stream")
async def twilio_media_stream(websocket: WebSocket) -> None:
    """Carry one phone call: Twilio's media messages in, spoken replies out."""
    runtime: ServerRuntime = websocket.app.state.runtime
    await websocket.accept()
    call: VoiceCall | None = None
    upsample: Resampler | None = None
    try:
        while True:
            message = json.loads(await websocket.receive_text())
            event = message.get("event") if isinstance(message, dict) else None
            if event == "start" and call is None:
                call = await _start_call(websocket, runtime, message)
                if call is None:
                    return
                upsample = Resampler(PHONE_RATE, call.engines.stt.sample_rate)
            elif event == "media" and call is not None and upsample is not None:
                media = message.get("media") or {}
                if media.get("track", "inbound") != "inbound":
                    continue
                audio = base64.b64decode(str(media.get("payload", "")), validate=True)
                await call.receive(upsample.convert(ulaw_to_pcm16(audio)))
            elif event == "stop":
                await websocket.close(code=1000)
                return
    except (ValueError, binascii.Error):
        await websocket.close(code=4400, reason="invalid_media_message")
    except WebSocketDisconnect:
        pass
    finally:
        if call is not None:
            await call.close()
