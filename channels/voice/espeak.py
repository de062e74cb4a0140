"""Offline text to speech with eSpeak NG.

The library and its voice data ship in `espeakng-loader`; they are called through eSpeak's
C API (speak_lib.h) in synchronous mode.

eSpeak NG keeps one global synthesiser per process: calls are serialised by a lock and run
in a worker thread so the event loop keeps streaming.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
from collections.abc import AsyncIterator
from typing import Any

from channels.voice.speech import VoiceUnavailable

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
CHARS_UTF8 = 1
INITIALIZE_DONT_EXIT = 0x8000
PARAM_RATE = 1
CHUNK_BYTES = 4096
"""Size of the PCM chunks handed out (about 90 ms at 22 050 Hz)."""

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_lock = threading.Lock()
_library: dict[str, Any] = {}


def _load(voice: str, words_per_minute: int) -> tuple[Any, int]:
    """Initialise eSpeak NG once per process; return the library and its sample rate."""
    if "lib" not in _library:
        try:
            import espeakng_loader
        except ImportError as error:
            raise VoiceUnavailable(
                "offline speech needs espeakng-loader: pip install '.[voice]'"
            ) from error
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data = espeakng_loader.get_data_path().encode()
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data, INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise VoiceUnavailable("eSpeak NG could not be initialised")
        _library.update(lib=lib, rate=rate, voice=None)
    lib = _library["lib"]
    if _library["voice"] != (voice, words_per_minute):
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise VoiceUnavailable(f"eSpeak NG has no voice {voice!r}")
        lib.espeak_SetParameter(PARAM_RATE, words_per_minute, 0)
        _library["voice"] = (voice, words_per_minute)
    return lib, int(_library["rate"])


class EspeakTextToSpeech:
    """Speaks with eSpeak NG, in process, at its native 22 050 Hz."""

    def __init__(self, voice: str = "en-us", words_per_minute: int = 175) -> None:
        self.voice = voice
        self.words_per_minute = words_per_minute
        with _lock:
            _lib, self.sample_rate = _load(voice, words_per_minute)

    def speak(self, text: str) -> bytes:
        """The whole speech of `text` as PCM16 (blocking)."""
        pieces: list[bytes] = []

        def collect(wav: Any, samples: int, _events: Any) -> int:
            if samples > 0:
                pieces.append(ctypes.string_at(wav, samples * 2))
            return 0

        callback = _SynthCallback(collect)
        data = text.encode() + b"\0"
        with _lock:
            lib, _rate = _load(self.voice, self.words_per_minute)
            lib.espeak_SetSynthCallback(callback)
            error = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
        if error != 0:
            raise RuntimeError(f"eSpeak NG failed to synthesise (error {error})")
        return b"".join(pieces)

    async def synthesize(self, text: str) -> AsyncIterator[bytes]:
        """The speech of `text` as PCM16 chunks."""
        pcm = await asyncio.to_thread(self.speak, text)
        for start in range(0, len(pcm), CHUNK_BYTES):
            yield pcm[start : start + CHUNK_BYTES]
