"""Voice mode latency and offline speech-to-text accuracy (prints numbers; not a test).

Latency: a caller's utterance (synthesised with eSpeak NG) is fed to a voice call in real
time, 20 ms at a time, followed by silence, on the embedded backends with the default
(grounded) drafter and the offline engines. Measured is the end of the customer's speech
(the last spoken frame sent) to the first byte of the reply's audio, which includes the
end-of-turn silence the detector waits for (`--silence-ms`). p50 and p95 per run, and
min/median/max of those over the runs.

Accuracy: the word error rate (jiwer) of the offline recogniser on synthesised support
utterances, at 16 kHz and over the phone's 8 kHz μ-law.

    .venv/bin/python -m bench.voice_latency [--runs 3] [--silence-ms 500] [--partial-ms 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table

from channels.voice.audio import pcm16_to_ulaw, resample, ulaw_to_pcm16
from channels.voice.call import VoiceCall
from channels.voice.espeak import EspeakTextToSpeech
from channels.voice.speech import SpeechEngines
from channels.voice.whisper import WhisperSpeechToText
from config.settings import Settings
from graphs.context import Context
from wiring.root import Root
from wiring.turns import open_turns

RATE = 16_000
FRAME = RATE * 20 // 1000 * 2
UTTERANCES = [
    "Where is my order number 1 2 3 4 5 6 7?",
    "What is your return policy?",
    "I want to talk to a person please.",
]
WER_SET = [
    "Where is my order number 1 2 3 4 5 6 7?",
    "What is your return policy?",
    "I want to return the headphones I bought last week.",
    "Can you change the shipping address on my order?",
    "My package arrived damaged and I need a refund.",
    "I would like to cancel my order because I ordered by mistake.",
]


class TimingTransport:
    """Records when the reply's first audio arrives; discards the rest."""

    def __init__(self) -> None:
        self.first_audio: float | None = None
        self.reply_done = asyncio.Event()

    async def send_event(self, event: Mapping[str, object]) -> None:
        """Note the end of the reply."""
        if event.get("type") == "reply":
            self.reply_done.set()

    async def send_audio(self, pcm: bytes, sample_rate: int) -> None:
        """Note the first audio byte."""
        if self.first_audio is None:
            self.first_audio = time.monotonic()

    async def stop_audio(self) -> None:
        """Nothing buffered to drop."""


def speak(tts: EspeakTextToSpeech, text: str) -> bytes:
    """`text` as 16 kHz PCM16."""
    return resample(tts.speak(text), tts.sample_rate, RATE)


async def one_turn(
    turns: object, engines: SpeechEngines, pcm: bytes, n: int, silence_ms: int
) -> float:
    """Seconds from the end of speech to the reply's first audio byte."""
    transport = TimingTransport()
    call = VoiceCall(
        runner=turns.runner,  # type: ignore[attr-defined]
        conversation_id=f"voice-bench-{n}",
        context=Context(customer_id="alex_morgan_1001"),
        engines=engines,
        transport=transport,
        silence_ms=silence_ms,
    )
    audio = b"\0" * FRAME * 10 + pcm
    start = time.monotonic()
    for i in range(0, len(audio), FRAME):
        await call.receive(audio[i : i + FRAME])
        await asyncio.sleep(max(0.0, start + (i + FRAME) / (RATE * 2) - time.monotonic()))
    speech_end = time.monotonic()
    while transport.first_audio is None:  # silence, in real time, until the reply speaks
        await call.receive(b"\0" * FRAME)
        await asyncio.sleep(0.02)
    await asyncio.wait_for(transport.reply_done.wait(), 60)
    await call.close()
    return transport.first_audio - speech_end


async def latency_runs(
    runs: int, silence_ms: int, partial_ms: int, console: Console
) -> list[list[float]]:
    """Per run, the latency of each utterance (each utterance three times per run)."""
    folder = Path(tempfile.mkdtemp(prefix="tandem-voice-bench-"))
    settings = Settings(data_dir=folder, checkpointer="sqlite")
    root = Root(settings)
    tts = EspeakTextToSpeech(voice=settings.voice_espeak_voice)
    engines = SpeechEngines(
        stt=WhisperSpeechToText(threads=settings.voice_whisper_threads, partial_ms=partial_ms),
        tts=tts,
        name="offline",
    )
    speech = [speak(tts, text) for text in UTTERANCES]
    results: list[list[float]] = []
    async with open_turns(root) as turns:
        await one_turn(turns, engines, speech[0], -1, silence_ms)  # warm-up, not counted
        for run in range(runs):
            samples = []
            for k in range(3):
                for j, pcm in enumerate(speech):
                    samples.append(
                        await one_turn(turns, engines, pcm, run * 100 + k * 10 + j, silence_ms)
                    )
            results.append(samples)
            console.print(f"run {run + 1}: {len(samples)} turns")
    return results


def word_error_rates() -> tuple[float, float, list[tuple[str, str, str]]]:
    """WER at 16 kHz and over 8 kHz μ-law, and each utterance's transcripts."""
    import jiwer

    tts = EspeakTextToSpeech(words_per_minute=140)
    stt = WhisperSpeechToText()
    norm = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
            jiwer.ReduceToListOfListOfWords(),
        ]
    )
    wide, phone, rows = [], [], []
    for text in WER_SET:
        pcm = speak(tts, text)
        narrow = resample(ulaw_to_pcm16(pcm16_to_ulaw(resample(pcm, RATE, 8000))), 8000, RATE)
        wide.append(stt.transcribe(pcm))
        phone.append(stt.transcribe(narrow))
        rows.append((text, wide[-1], phone[-1]))

    def wer(hypotheses: list[str]) -> float:
        return float(
            jiwer.wer(
                WER_SET,
                hypotheses,
                reference_transform=norm,
                hypothesis_transform=norm,
            )
        )

    return wer(wide), wer(phone), rows


def _pct(values: list[float], q: float) -> float:
    return float(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1])


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--silence-ms", type=int, default=Settings().voice_silence_ms)
    parser.add_argument(
        "--partial-ms", type=int, default=Settings().voice_partial_ms, help="0: no partials"
    )
    args = parser.parse_args()
    console = Console()
    results = asyncio.run(latency_runs(args.runs, args.silence_ms, args.partial_ms, console))
    p50 = [statistics.median(r) for r in results]
    p95 = [_pct(r, 95) for r in results]
    table = Table(title=f"End of speech → first reply audio (s), {args.runs} runs x 9 turns")
    for column in ("", "min", "median", "max"):
        table.add_column(column)
    for label, values in (("p50", p50), ("p95", p95)):
        table.add_row(
            label, *(f"{v:.3f}" for v in (min(values), statistics.median(values), max(values)))
        )
    console.print(table)
    console.print(
        f"(includes the {args.silence_ms} ms of silence that ends a turn; partial transcripts "
        f"every {args.partial_ms} ms of speech, 0: none)"
    )
    wide, phone, rows = word_error_rates()
    wer_table = Table(title="Offline speech to text (tiny.en) on synthesised utterances")
    for column in ("reference", "16 kHz", "8 kHz μ-law"):
        wer_table.add_column(column)
    for row in rows:
        wer_table.add_row(*row)
    console.print(wer_table)
    console.print(f"WER 16 kHz: {wide:.3f}   WER 8 kHz μ-law: {phone:.3f}")


if __name__ == "__main__":
    main()
