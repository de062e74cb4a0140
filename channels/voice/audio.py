"""PCM16 helpers: μ-law (telephony) conversion, resampling and WAV wrapping.

Audio inside the voice mode is 16-bit little-endian mono PCM. The phone carries 8 kHz μ-law;
speech engines produce their own rates; `audioop` (the standard library's, or `audioop-lts`
from Python 3.13 on) converts between them.
"""

from __future__ import annotations

import io
import warnings
import wave
from typing import Any

with warnings.catch_warnings():  # deprecated in 3.11-3.12; audioop-lts replaces it in 3.13
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

SAMPLE_WIDTH = 2
"""Bytes per sample of PCM16."""


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Convert mono PCM16 from one sample rate to another (no state kept between calls)."""
    if from_rate == to_rate or not pcm:
        return pcm
    converted, _state = audioop.ratecv(pcm, SAMPLE_WIDTH, 1, from_rate, to_rate, None)
    return converted


class Resampler:
    """Resamples a stream of PCM16 chunks, keeping the filter state across chunks."""

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._state: Any = None

    def convert(self, pcm: bytes) -> bytes:
        """The next chunk at the target rate."""
        if self.from_rate == self.to_rate or not pcm:
            return pcm
        converted, self._state = audioop.ratecv(
            pcm, SAMPLE_WIDTH, 1, self.from_rate, self.to_rate, self._state
        )
        return converted


def ulaw_to_pcm16(data: bytes) -> bytes:
    """Decode G.711 μ-law bytes to PCM16."""
    return audioop.ulaw2lin(data, SAMPLE_WIDTH)


def pcm16_to_ulaw(pcm: bytes) -> bytes:
    """Encode PCM16 as G.711 μ-law bytes."""
    return audioop.lin2ulaw(pcm, SAMPLE_WIDTH)


def to_wav(pcm: bytes, sample_rate: int) -> bytes:
    """Wrap mono PCM16 in a WAV container."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def duration_seconds(pcm: bytes, sample_rate: int) -> float:
    """How long mono PCM16 audio plays."""
    return len(pcm) / (SAMPLE_WIDTH * sample_rate)
