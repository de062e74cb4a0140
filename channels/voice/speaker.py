"""Speaks a reply sentence by sentence, paced at playback speed.

Pacing lets a barge-in know what the customer has heard.

Audio goes out a little ahead of playback (`LEAD_SECONDS`), never the whole reply at once:
when the customer interrupts, what was sent is (nearly) what was played, and the rest is
dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from channels.voice.audio import duration_seconds
from channels.voice.speech import TextToSpeech

LEAD_SECONDS = 0.3
"""How far ahead of playback audio is sent (the client's jitter buffer)."""


class CallTransport(Protocol):
    """Where a call's events and audio go: a browser's WebSocket or a phone stream."""

    async def send_event(self, event: Mapping[str, object]) -> None:
        """Send a JSON event (transcripts, reply text, interruptions)."""
        ...

    async def send_audio(self, pcm: bytes, sample_rate: int) -> None:
        """Send a chunk of the reply's speech (PCM16 at `sample_rate`)."""
        ...

    async def stop_audio(self) -> None:
        """Make the client drop the speech it has buffered but not played."""
        ...


@dataclass
class Playback:
    """What one reply has played: sentences and the time each ends on the playback clock."""

    started: float | None = None
    sent_seconds: float = 0.0
    sentences: list[tuple[str, float, float]] = field(default_factory=list)
    """Each spoken sentence with its start and end on the playback clock (seconds)."""
    current: str | None = None
    """The sentence being synthesised or sent."""
    queued: list[str] = field(default_factory=list)
    """Sentences drafted but not spoken yet."""

    def split_at(self, now: float) -> tuple[str, str]:
        """The reply's text heard by `now` and the rest.

        Whole sentences only: the one playing counts as not heard.
        """
        elapsed = 0.0 if self.started is None else now - self.started
        heard = [text for text, _start, end in self.sentences if end <= elapsed]
        unheard = [text for text, _start, end in self.sentences if end > elapsed]
        current = [self.current] if self.current else []
        return " ".join(heard), " ".join(unheard + current + self.queued)


class Speaker:
    """Turns queued sentences into paced speech on a transport."""

    def __init__(self, tts: TextToSpeech, transport: CallTransport, reply: bool = True) -> None:
        self.tts = tts
        self.reply = reply
        """Whether this is a reply of the conversation (a greeting is not)."""
        self.transport = transport
        self.playback = Playback()
        self._sentences: asyncio.Queue[str | None] = asyncio.Queue()
        self.first_audio_at: float | None = None

    def say(self, sentence: str) -> None:
        """Queue a sentence."""
        self.playback.queued.append(sentence)
        self._sentences.put_nowait(sentence)

    def end(self) -> None:
        """No more sentences for this reply."""
        self._sentences.put_nowait(None)

    async def run(self) -> None:
        """Speak the queued sentences until `end`."""
        while (sentence := await self._sentences.get()) is not None:
            self.playback.queued.remove(sentence)
            self.playback.current = sentence
            await self.transport.send_event({"type": "reply_sentence", "text": sentence})
            start = self.playback.sent_seconds
            async for chunk in self.tts.synthesize(sentence):
                await self._pace()
                if self.first_audio_at is None:
                    self.first_audio_at = time.monotonic()
                    self.playback.started = self.first_audio_at
                await self.transport.send_audio(chunk, self.tts.sample_rate)
                self.playback.sent_seconds += duration_seconds(chunk, self.tts.sample_rate)
            self.playback.sentences.append((sentence, start, self.playback.sent_seconds))
            self.playback.current = None
        await self._pace(ahead=0.0)  # the reply has been played out

    async def _pace(self, ahead: float = LEAD_SECONDS) -> None:
        if self.playback.started is None:
            return
        played = time.monotonic() - self.playback.started
        wait = self.playback.sent_seconds - played - ahead
        if wait > 0:
            await asyncio.sleep(wait)
