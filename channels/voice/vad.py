"""End-of-turn detection: WebRTC voice activity detection over 20 ms frames of 16 kHz PCM16.

The customer's turn starts after a few voiced frames in a row (a click or a breath is not
speech) and ends after `silence_ms` of unvoiced audio. A shorter silence (`pause_ms`) is
reported as a pause, so the final transcript can be computed while the detector waits to
be sure the turn ended.
"""

from __future__ import annotations

from enum import Enum

from channels.voice.speech import VoiceUnavailable

FRAME_MS = 20
SAMPLE_RATE = 16_000
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2


class Activity(Enum):
    """What a frame changed."""

    SPEECH_STARTED = "speech_started"
    PAUSED = "paused"
    """A short silence inside speech: the turn may be ending (work on it can start)."""
    RESUMED = "resumed"
    """Speech again after a pause: it did not end the turn."""
    SPEECH_ENDED = "speech_ended"


class TurnDetector:
    """Finds where the customer starts and stops speaking in a stream of 16 kHz PCM16."""

    def __init__(
        self,
        silence_ms: int = 500,
        start_ms: int = 100,
        aggressiveness: int = 2,
        pause_ms: int = 200,
    ) -> None:
        try:
            import webrtcvad
        except ImportError as error:
            raise VoiceUnavailable(
                "voice activity detection needs webrtcvad-wheels: pip install '.[voice]'"
            ) from error
        self._vad = webrtcvad.Vad(aggressiveness)
        self._start_frames = max(1, start_ms // FRAME_MS)
        self._end_frames = max(1, silence_ms // FRAME_MS)
        self._pause_frames = max(1, min(pause_ms, silence_ms) // FRAME_MS)
        self.paused = False
        self._pending = b""
        self._voiced_run = 0
        self._silent_run = 0
        self.speaking = False

    def push(self, pcm: bytes) -> list[Activity]:
        """Feed audio; return the changes it caused, in order."""
        self._pending += pcm
        changes: list[Activity] = []
        while len(self._pending) >= FRAME_BYTES:
            frame, self._pending = self._pending[:FRAME_BYTES], self._pending[FRAME_BYTES:]
            voiced = self._vad.is_speech(frame, SAMPLE_RATE)
            if not self.speaking:
                self._voiced_run = self._voiced_run + 1 if voiced else 0
                if self._voiced_run >= self._start_frames:
                    self.speaking, self._silent_run = True, 0
                    changes.append(Activity.SPEECH_STARTED)
            else:
                self._silent_run = 0 if voiced else self._silent_run + 1
                if voiced and self.paused:
                    self.paused = False
                    changes.append(Activity.RESUMED)
                elif self._silent_run == self._pause_frames:
                    self.paused = True
                    changes.append(Activity.PAUSED)
                if self._silent_run >= self._end_frames:
                    self.speaking, self.paused, self._voiced_run = False, False, 0
                    changes.append(Activity.SPEECH_ENDED)
        return changes
