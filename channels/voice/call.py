"""One voice call: the customer's audio in, transcripts and the spoken reply out.

Audio (16 kHz PCM16) goes through voice activity detection; while the customer speaks it
streams to the recogniser (partial transcripts go back to the client); when they stop, the
final transcript starts a turn on the turn runner and the reply is spoken sentence by
sentence as its tokens arrive. Speech while the reply plays is a barge-in: the speech stops,
and what was not heard is recorded in the conversation as a `speech_interrupted` event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from channels.voice.sentences import SentenceSplitter
from channels.voice.speaker import CallTransport, Speaker
from channels.voice.speech import RecognitionStream, SpeechEngines
from channels.voice.transcripts import normalize_spoken
from channels.voice.vad import Activity, TurnDetector
from conversations.runner import ConversationBusy, TurnRunner
from graphs.context import Context

logger = logging.getLogger("tandem.voice")

PREROLL_BYTES = 16_000 * 2 * 3 // 10
"""Audio kept from before speech was detected (300 ms), so the first word is not clipped."""
SORRY = "Sorry, something went wrong on my side. Could you say that again?"


class VoiceCall:
    """Runs the customer's turns of one conversation from their voice."""

    def __init__(
        self,
        *,
        runner: TurnRunner,
        conversation_id: str,
        context: Context,
        engines: SpeechEngines,
        transport: CallTransport,
        silence_ms: int = 500,
        allow_turn: Callable[[], bool] = lambda: True,
    ) -> None:
        self.runner = runner
        self.conversation_id = conversation_id
        self.context = context
        self.engines = engines
        self.transport = transport
        self.allow_turn = allow_turn
        self.detector = TurnDetector(silence_ms=silence_ms)
        self._preroll = b""
        self._stream: RecognitionStream | None = None
        self._reply: asyncio.Task[None] | None = None
        self._speaker: Speaker | None = None
        self.speech_ended_at: float | None = None
        """When the detector last saw the customer stop (the latency benchmark reads it)."""
        self.first_audio_at: float | None = None
        """When the last reply's first audio chunk went out."""

    async def receive(self, pcm: bytes) -> None:
        """Take a chunk of the customer's audio (16 kHz PCM16)."""
        self._preroll = (self._preroll + pcm)[-PREROLL_BYTES:]
        for change in self.detector.push(pcm):
            if change is Activity.SPEECH_STARTED:
                await self._speech_started()
            elif change is Activity.SPEECH_ENDED:
                await self._speech_ended()
            elif self._stream is not None and change is Activity.PAUSED:
                await self._stream.pause()
            elif self._stream is not None:
                await self._stream.resume()
        if self._stream is not None and self.detector.speaking:
            await self._stream.feed(pcm)

    async def _speech_started(self) -> None:
        if self._speaking():
            await self._barge_in()
        self._stream = await self.engines.stt.open(self._partial)
        await self._stream.feed(self._preroll)
        self._preroll = b""

    async def _partial(self, text: str) -> None:
        await self.transport.send_event({"type": "transcript", "text": text, "final": False})

    async def _speech_ended(self) -> None:
        self.speech_ended_at = time.monotonic()
        stream, self._stream = self._stream, None
        if stream is None:
            return
        previous = self._reply
        self._reply = asyncio.create_task(self._answer(stream, previous))

    def _speaking(self) -> bool:
        return self._reply is not None and not self._reply.done()

    async def _barge_in(self) -> None:
        """Stop the reply being spoken and record what the customer did not hear."""
        speaker, reply = self._speaker, self._reply
        if speaker is None or reply is None:
            return
        reply.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reply
        heard, unheard = speaker.playback.split_at(time.monotonic())
        await self.transport.stop_audio()
        if unheard and speaker.reply:
            event = {"type": "speech_interrupted", "heard": heard, "unheard": unheard}
            await self.runner.hub.publish(self.conversation_id, event)
            await self.transport.send_event(event)

    async def _answer(self, stream: RecognitionStream, previous: asyncio.Task[None] | None) -> None:
        text = normalize_spoken(await stream.finish())
        if not text:
            return
        await self.transport.send_event({"type": "transcript", "text": text, "final": True})
        if previous is not None:  # a barged-in turn may still be drafting: let it finish
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await previous
        if not self.allow_turn():
            await self.transport.send_event({"type": "error", "code": "rate_limited"})
            return
        speaker = self._speaker = Speaker(self.engines.tts, self.transport)
        talking = asyncio.create_task(speaker.run())
        try:
            reply = await self._draft(text, speaker)
            speaker.end()
            await self.transport.send_event({"type": "reply", "text": reply})
            await talking
        finally:
            self.first_audio_at = speaker.first_audio_at
            talking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await talking

    async def _draft(self, text: str, speaker: Speaker) -> str:
        """Run the turn; hand each sentence to the speaker as soon as it is drafted."""
        runner = self.runner
        while True:
            try:
                cursor = await runner.start_customer_turn(
                    self.conversation_id, text, "voice", self.context
                )
                break
            except ConversationBusy:  # the interrupted turn is being checkpointed
                await asyncio.sleep(0.05)
        splitter = SentenceSplitter()
        reply, streamed = "", False
        async for _seq, event in runner.hub.follow(self.conversation_id, cursor, until_done=True):
            kind = event["type"]
            if kind == "token":
                streamed = True
                for sentence in splitter.feed(str(event["text"])):
                    speaker.say(sentence)
            elif kind == "done":
                reply = str(event.get("reply") or "")
                if not streamed:  # a reply that came whole (e.g. a canned answer)
                    for sentence in splitter.feed(reply):
                        speaker.say(sentence)
            elif kind == "agent_message":
                speaker.say(str(event["text"]))
            elif kind == "error":
                speaker.say(SORRY)
                return SORRY
        rest = splitter.flush()
        if rest:
            speaker.say(rest)
        return reply

    def greet(self, text: str) -> None:
        """Speak `text` (e.g. a phone greeting) without starting a turn; speech interrupts it."""
        speaker = self._speaker = Speaker(self.engines.tts, self.transport, reply=False)
        speaker.say(text)
        speaker.end()
        self._reply = asyncio.create_task(speaker.run())

    async def close(self) -> None:
        """Hang up: stop listening and speaking (a running turn still completes)."""
        if self._stream is not None:
            await self._stream.cancel()
        if self._reply is not None:
            self._reply.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reply
