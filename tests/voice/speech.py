"""Customer speech for voice tests: synthesised offline, framed like a microphone sends it."""

from __future__ import annotations

from channels.voice.audio import resample
from channels.voice.espeak import EspeakTextToSpeech

RATE = 16_000
FRAME_BYTES = RATE * 20 // 1000 * 2  # 20 ms of PCM16


def silence(ms: int, rate: int = RATE) -> bytes:
    return b"\0\0" * (rate * ms // 1000)


def utterance(text: str, trailing_ms: int = 900) -> bytes:
    """`text` spoken at 16 kHz, with a little silence before and enough after to end a turn."""
    tts = EspeakTextToSpeech(words_per_minute=140)
    speech = resample(tts.speak(text), tts.sample_rate, RATE)
    return silence(200) + speech + silence(trailing_ms)


def frames(pcm: bytes, size: int = FRAME_BYTES) -> list[bytes]:
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]
