"""The speech interface: streaming speech to text and sentence-by-sentence text to speech.

Every engine (offline or AWS) implements these two protocols, so a call does not know
which one it talks to. Audio is mono PCM16; the recogniser takes `SpeechToText.sample_rate`
(16 kHz), a synthesiser says which rate it produces.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

PartialCallback = Callable[[str], Awaitable[None]]
"""Called with each partial transcript of the utterance being spoken."""


class VoiceUnavailable(RuntimeError):
    """A speech engine's package or model is not installed (see the README's voice mode)."""


class RecognitionStream(Protocol):
    """One utterance being recognised: audio in, partial transcripts out, a final one at the end."""

    async def feed(self, pcm: bytes) -> None:
        """Add audio (PCM16 at the engine's rate); partial transcripts go to the callback."""
        ...

    async def pause(self) -> None:
        """The customer paused: the utterance may end here (an engine may start on it)."""
        ...

    async def resume(self) -> None:
        """The customer went on speaking after `pause`."""
        ...

    async def finish(self) -> str:
        """End the utterance and return its final transcript."""
        ...

    async def cancel(self) -> None:
        """Drop the utterance without a transcript."""
        ...


class SpeechToText(Protocol):
    """A streaming recogniser."""

    sample_rate: int

    async def open(self, on_partial: PartialCallback) -> RecognitionStream:
        """Start recognising one utterance."""
        ...


class TextToSpeech(Protocol):
    """A synthesiser that speaks one sentence at a time, as chunks of PCM16."""

    sample_rate: int

    def synthesize(self, text: str) -> AsyncIterator[bytes]:
        """The speech of `text` as PCM16 chunks at `sample_rate`."""
        ...


@dataclass(frozen=True)
class SpeechEngines:
    """The recogniser and synthesiser a deployment speaks with."""

    stt: SpeechToText
    tts: TextToSpeech
    name: str
