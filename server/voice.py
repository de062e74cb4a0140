"""The voice mode's speech engines, built once per server from settings.

Loading the offline model takes a moment, so the engines are built at the first call and
kept; a deployment without the `.[voice]` extra learns it from a clear close code.
"""

from __future__ import annotations

import asyncio
import threading

from channels.voice.speech import SpeechEngines
from config.settings import Settings

_engines: dict[tuple[object, ...], SpeechEngines] = {}
_lock = threading.Lock()


def build_engines(settings: Settings) -> SpeechEngines:
    """The recogniser and synthesiser the settings name (raises `VoiceUnavailable`)."""
    if settings.voice_engine == "aws":
        from channels.voice.aws import PollyTextToSpeech, TranscribeSpeechToText

        return SpeechEngines(
            stt=TranscribeSpeechToText(
                region=settings.aws_region,
                language=settings.voice_language,
                endpoint_url=settings.transcribe_endpoint_url,
            ),
            tts=PollyTextToSpeech(
                region=settings.aws_region,
                voice_id=settings.polly_voice_id,
                engine=settings.polly_engine,
                endpoint_url=settings.polly_endpoint_url,
            ),
            name="aws",
        )
    from channels.voice.espeak import EspeakTextToSpeech
    from channels.voice.whisper import WhisperSpeechToText

    return SpeechEngines(
        stt=WhisperSpeechToText(
            threads=settings.voice_whisper_threads,
            partial_ms=settings.voice_partial_ms,
            language=settings.voice_language,
        ),
        tts=EspeakTextToSpeech(voice=settings.voice_espeak_voice),
        name="offline",
    )


async def engines_for(settings: Settings) -> SpeechEngines:
    """The engines for these settings, built on first use (in a worker thread)."""
    key = (
        settings.voice_engine,
        settings.voice_language,
        settings.voice_whisper_threads,
        settings.voice_partial_ms,
        settings.voice_espeak_voice,
        settings.polly_voice_id,
        settings.polly_endpoint_url,
        settings.transcribe_endpoint_url,
    )

    def build_once() -> SpeechEngines:
        with _lock:
            if key not in _engines:
                _engines[key] = build_engines(settings)
            return _engines[key]

    return await asyncio.to_thread(build_once)
