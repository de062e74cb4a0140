"""The voice mode's parts: end-of-turn detection, sentence cutting, spoken numbers, audio."""

from __future__ import annotations

import numpy as np

from channels.voice.audio import (
    Resampler,
    duration_seconds,
    pcm16_to_ulaw,
    resample,
    to_wav,
    ulaw_to_pcm16,
)
from channels.voice.sentences import SentenceSplitter
from channels.voice.speaker import Playback
from channels.voice.transcripts import normalize_spoken
from channels.voice.vad import Activity, TurnDetector
from tests.voice.speech import frames, silence, utterance


def _feed(detector: TurnDetector, pcm: bytes) -> list[tuple[int, Activity]]:
    changes = []
    for n, frame in enumerate(frames(pcm)):
        changes.extend((n, change) for change in detector.push(frame))
    return changes


def test_the_turn_ends_only_after_enough_silence():
    speech = utterance("Where is my order?", trailing_ms=0)
    detector = TurnDetector(silence_ms=500)
    changes = _feed(detector, speech + silence(300))
    assert changes[0][1] is Activity.SPEECH_STARTED
    assert Activity.SPEECH_ENDED not in [c for _n, c in changes]
    assert detector.speaking
    ended = _feed(detector, silence(300))
    assert [c for _n, c in ended][-1] is Activity.SPEECH_ENDED
    assert not detector.speaking


def test_silence_and_a_click_are_not_speech():
    detector = TurnDetector()
    click = (np.array([0, 20000, -20000, 0] * 40, dtype="<i2")).tobytes()
    assert _feed(detector, silence(1000) + click + silence(500)) == []


def test_a_pause_inside_speech_is_reported_and_taken_back_when_speech_resumes():
    first = utterance("Where is my order", trailing_ms=0)
    detector = TurnDetector(silence_ms=600, pause_ms=200)
    changes = [c for _n, c in _feed(detector, first + silence(300) + first + silence(800))]
    assert changes[:3] == [Activity.SPEECH_STARTED, Activity.PAUSED, Activity.RESUMED]
    assert changes[-2:] == [Activity.PAUSED, Activity.SPEECH_ENDED]


def test_sentences_come_out_as_soon_as_they_end():
    splitter = SentenceSplitter()
    out: list[str] = []
    for token in [
        "Your order ",
        "#W1234567 costs $12.50",
        ". It is",
        " pending! Anything",
        " else",
    ]:
        out.extend(splitter.feed(token))
    assert out == ["Your order #W1234567 costs $12.50.", "It is pending!"]
    assert splitter.flush() == "Anything else"
    assert splitter.flush() == ""


def test_very_short_sentences_are_joined_with_the_next():
    splitter = SentenceSplitter()
    assert splitter.feed("Hi! Your order has shipped. ") == ["Hi! Your order has shipped."]


def test_numbers_read_digit_by_digit_are_joined():
    assert normalize_spoken("order number 1, 2, 3, 4, 5, 6, 7?") == "order number 1234567?"
    assert normalize_spoken("zip nine four one oh five") == "zip 94105"
    assert normalize_spoken("I have 2 items and 3 boxes") == "I have 2 items and 3 boxes"
    assert normalize_spoken("someone bought one") == "someone bought one"


def test_playback_splits_the_reply_at_what_was_heard():
    playback = Playback(started=100.0, sentences=[("One.", 0.0, 1.0), ("Two.", 1.0, 2.5)])
    playback.current, playback.queued = "Three.", ["Four."]
    assert playback.split_at(101.2) == ("One.", "Two. Three. Four.")
    assert playback.split_at(99.0) == ("", "One. Two. Three. Four.")


def test_audio_conversions_keep_the_signal():
    tone = (np.sin(2 * np.pi * 440 * np.arange(16000) / 16000) * 12000).astype("<i2")
    pcm = tone.tobytes()
    phone = ulaw_to_pcm16(pcm16_to_ulaw(resample(pcm, 16000, 8000)))
    assert len(phone) == len(pcm) // 2
    back = np.frombuffer(resample(phone, 8000, 16000), dtype="<i2")
    assert np.corrcoef(back[100:15000].astype(float), tone[100:15000].astype(float))[0, 1] > 0.9
    streamed = Resampler(16000, 8000)
    chunks = b"".join(streamed.convert(c) for c in frames(pcm))
    assert abs(len(chunks) - len(phone)) <= 4
    assert duration_seconds(pcm, 16000) == 1.0
    wav = to_wav(pcm, 16000)
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and len(wav) == len(pcm) + 44
