"""AWS speech engines: Amazon Transcribe streaming and Amazon Polly.

Transcribe streams over HTTP/2 with the event-stream framing, through the
`amazon-transcribe` SDK; Polly answers `synthesize_speech` with raw PCM.

Both take an endpoint override, so loopback servers speaking their protocols stand in for
AWS in tests.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from channels.voice.speech import PartialCallback, VoiceUnavailable

POLLY_RATE = 16_000
"""Polly's highest PCM sample rate."""
CHUNK_BYTES = 4096


class PollyTextToSpeech:
    """Amazon Polly, asked for 16 kHz PCM and read as it streams."""

    sample_rate = POLLY_RATE

    def __init__(
        self,
        region: str,
        voice_id: str = "Joanna",
        engine: str = "neural",
        endpoint_url: str | None = None,
    ) -> None:
        import boto3

        session = boto3.session.Session()  # its own: credentials as the environment has them now
        self.client = session.client("polly", region_name=region, endpoint_url=endpoint_url)
        self.voice_id = voice_id
        self.engine = engine

    def _open(self, text: str) -> Any:
        response = self.client.synthesize_speech(
            Text=text,
            OutputFormat="pcm",
            SampleRate=str(POLLY_RATE),
            VoiceId=self.voice_id,
            Engine=self.engine,
        )
        return response["AudioStream"]

    async def synthesize(self, text: str) -> AsyncIterator[bytes]:
        """The speech of `text` as PCM16 chunks, as Polly sends them."""
        body = await asyncio.to_thread(self._open, text)
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK_BYTES):
                yield chunk
        finally:
            body.close()


class TranscribeSpeechToText:
    """Amazon Transcribe streaming at 16 kHz PCM, with its partial results."""

    sample_rate = 16_000

    def __init__(
        self,
        region: str,
        language: str = "en-US",
        endpoint_url: str | None = None,
        ca_file: str | None = None,
    ) -> None:
        try:
            from amazon_transcribe.client import TranscribeStreamingClient
        except ImportError as error:
            raise VoiceUnavailable(
                "Amazon Transcribe streaming needs amazon-transcribe: pip install '.[voice]'"
            ) from error
        resolver = None
        if endpoint_url:
            from amazon_transcribe.endpoints import StaticEndpointResolver

            resolver = StaticEndpointResolver(endpoint_url)
        self.client = TranscribeStreamingClient(region=region, endpoint_resolver=resolver)
        if ca_file:
            self._trust(ca_file)
        self.language = language

    def _trust(self, ca_file: str) -> None:
        """Trust the certificates in `ca_file` (a private endpoint's CA) instead of the system's.

        The SDK builds its TLS context without options; this replaces it with one that
        trusts `ca_file` and still negotiates HTTP/2.
        """
        from awscrt import io

        options = io.TlsContextOptions()
        options.override_default_trust_store_from_path(ca_filepath=ca_file)
        self.client._session_manager._tls_ctx = io.ClientTlsContext(options)

    async def open(self, on_partial: PartialCallback) -> TranscribeStream:
        """Start a Transcribe stream for one utterance."""
        stream = await self.client.start_stream_transcription(
            language_code=self.language,
            media_sample_rate_hz=self.sample_rate,
            media_encoding="pcm",
        )
        return TranscribeStream(stream, on_partial)


class TranscribeStream:
    """One utterance on an open Transcribe stream."""

    def __init__(self, stream: Any, on_partial: PartialCallback) -> None:
        self._stream = stream
        self._on_partial = on_partial
        self._final: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self._stream.output_stream:
            for result in event.transcript.results:
                if not result.alternatives:
                    continue
                text = result.alternatives[0].transcript
                if result.is_partial:
                    await self._on_partial(" ".join([*self._final, text]))
                else:
                    self._final.append(text)

    async def feed(self, pcm: bytes) -> None:
        """Send audio as an AudioEvent."""
        await self._stream.input_stream.send_audio_event(audio_chunk=pcm)

    async def pause(self) -> None:
        """Transcribe finalises results by itself as audio streams."""

    async def resume(self) -> None:
        """Nothing to undo."""

    async def finish(self) -> str:
        """End the audio stream and return the final results joined."""
        await self._stream.input_stream.end_stream()
        await self._reader
        return " ".join(self._final).strip()

    async def cancel(self) -> None:
        """Close the stream and stop reading results."""
        with contextlib.suppress(Exception):
            await self._stream.input_stream.end_stream()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader
