"""Browser voice mode: one WebSocket carrying the microphone in and the spoken reply out.

Connect to `/v1/voice?access_token=JWT` (a customer's token) and optionally
`&conversation_id=ID` to talk in an existing conversation; otherwise a new `voice`
conversation is opened. Send binary frames of 16 kHz mono PCM16 from the microphone.
Receive JSON events — `ready` (conversation id and the reply audio's sample rate),
`transcript` (`final` false for partials), `reply_sentence`, `reply`, `audio_stop` (drop
buffered speech: the customer barged in), `speech_interrupted` (what was not heard),
`error` — and binary frames of the reply's speech (mono PCM16 at the announced rate).

Close codes: 4401 bad token, 4403 not a customer, 4404 unknown conversation, 4503 voice
engines not installed, 4400 a text frame that is not JSON or an odd-length audio frame.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from channels.voice.call import VoiceCall
from channels.voice.speech import VoiceUnavailable
from graphs.turns import new_conversation_id
from server.auth.verifier import AuthError
from server.problems import ApiError
from server.runtime import ServerRuntime
from server.voice import engines_for

router = APIRouter()


class BrowserTransport:
    """Sends a call's events as JSON text frames and its speech as binary frames."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send_event(self, event: Mapping[str, object]) -> None:
        """Send one JSON event."""
        await self.websocket.send_json(event)

    async def send_audio(self, pcm: bytes, sample_rate: int) -> None:
        """Send a chunk of speech (the rate was announced in `ready`)."""
        await self.websocket.send_bytes(pcm)

    async def stop_audio(self) -> None:
        """Tell the page to drop the speech it has queued."""
        await self.websocket.send_json({"type": "audio_stop"})


async def _open_conversation(websocket: WebSocket, runtime: ServerRuntime) -> dict[str, Any] | None:
    """Authenticate the customer and find or open the conversation; close on refusal."""
    from server.deps import conversation_for

    try:
        principal = websocket.app.state.verifier.verify(
            websocket.query_params.get("access_token", "")
        )
    except AuthError as error:
        await websocket.close(code=4401, reason=error.code)
        return None
    if principal.role != "customer":
        await websocket.close(code=4403, reason="forbidden_role")
        return None
    conversation_id = websocket.query_params.get("conversation_id")
    if not conversation_id:
        return runtime.store.create_conversation(
            new_conversation_id(), principal.customer_id, "voice"
        ) | {"sub": principal.sub}
    try:
        return conversation_for(runtime, conversation_id, principal) | {"sub": principal.sub}
    except ApiError as error:
        detail: Any = error.detail
        await websocket.close(code=4000 + error.status_code, reason=str(detail.get("code", "")))
        return None


@router.websocket("/v1/voice")
async def voice_socket(websocket: WebSocket) -> None:
    """Talk with the assistant: microphone audio in, transcripts and speech out."""
    runtime: ServerRuntime = websocket.app.state.runtime
    conversation = await _open_conversation(websocket, runtime)
    if conversation is None:
        return
    try:
        engines = await engines_for(runtime.settings)
    except VoiceUnavailable as error:
        await websocket.close(code=4503, reason=str(error)[:120])
        return
    await websocket.accept()
    sub = str(conversation["sub"])
    call = VoiceCall(
        runner=runtime.runner,
        conversation_id=conversation["id"],
        context=runtime.context_for(conversation["customer_id"]),
        engines=engines,
        transport=BrowserTransport(websocket),
        silence_ms=runtime.settings.voice_silence_ms,
        allow_turn=lambda: not runtime.limiter.check(sub),
    )
    await websocket.send_json(
        {
            "type": "ready",
            "conversation_id": conversation["id"],
            "sample_rate": engines.stt.sample_rate,
            "reply_sample_rate": engines.tts.sample_rate,
        }
    )
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes"):
                if len(message["bytes"]) % 2:
                    await websocket.close(code=4400, reason="odd_pcm16_frame")
                    break
                await call.receive(message["bytes"])
            elif message.get("text"):
                try:
                    control = json.loads(message["text"])
                except ValueError:
                    await websocket.close(code=4400, reason="invalid_json")
                    break
                if isinstance(control, dict) and control.get("type") == "hangup":
                    await websocket.close(code=1000)
                    break
    except WebSocketDisconnect:
        pass
    finally:
        await call.close()
