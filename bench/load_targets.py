"""Servers and clients for `bench.load`: start and stop a server process, drive conversations.

Two targets serve the same support graph: Tandem's own server (`tandem serve`, SSE on
`/v1/conversations/{id}/messages`) and `langgraph dev` (the LangGraph API, driven with
langgraph-sdk). Each conversation records one `TurnSample` per customer message.

Every simulated customer has its own HTTP client and connection, as each browser would.
One client shared by hundreds of concurrent streams measures the client instead: under a
burst, httpcore's pool re-checks every pooled connection for every queued request
(`has_expired` → a readability poll per socket), which stalls the client's event loop for
seconds before the requests are even sent.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import ssl
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import aconnect_sse
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.schema import StreamMode

LOOPBACK = "127.0.0.1"
"""The only address the benchmark binds servers to and sends requests to."""

TIMEOUT = httpx.Timeout(connect=30.0, read=900.0, write=60.0, pool=900.0)
"""Generous client timeouts (a queued run may wait minutes); the load has its own limit."""

LANGGRAPH_STREAM_MODES: list[StreamMode] = ["messages-tuple", "updates", "custom"]
"""The LangGraph API stream modes matching Tandem's `messages`, `updates`, `custom`."""


@dataclass
class TurnSample:
    """What one customer turn measured, in seconds from sending the message."""

    first_event: float | None = None
    server_start: float | None = None
    """The server's own time to start the response (its `Server-Timing` header), if sent."""
    first_token: float | None = None
    latency: float | None = None
    events: int = 0
    error: str | None = None
    detail: str = ""
    """For a failure: where it happened and the exception's message."""


class StreamGauge:
    """How many SSE streams the simulated customers hold open at once, and the most seen."""

    def __init__(self) -> None:
        self.open = 0
        self.peak = 0

    def reset(self) -> None:
        """Forget the peak (between the warm-up and the measured load)."""
        self.peak = self.open

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Count one stream as open for the duration of the block."""
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            yield
        finally:
            self.open -= 1


STREAMS = StreamGauge()
"""The streams of the current load (one benchmark process drives one load at a time)."""


def free_port() -> int:
    """A TCP port on the loopback interface that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One certificate store for every client (loading it per client costs ~45 ms)."""
    return ssl.create_default_context()


def http_client(
    base_url: str, connections: int = 1, headers: dict[str, str] | None = None
) -> httpx.AsyncClient:
    """An async HTTP client for `base_url`, which must be on the loopback interface."""
    if not base_url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"the load benchmark only talks to {LOOPBACK}, not {base_url}")
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=TIMEOUT,
        transport=httpx.AsyncHTTPTransport(verify=_tls_context(), limits=limits),
    )


async def tandem_turn(client: httpx.AsyncClient, conversation_id: str, text: str) -> TurnSample:
    """Post one message to Tandem and time its SSE stream until `done` or `error`."""
    sample = TurnSample()
    new_connection = False

    async def trace(name: str, info: dict[str, Any]) -> None:
        nonlocal new_connection
        new_connection = new_connection or name.startswith("connection.connect_tcp")

    started = time.perf_counter()
    path = f"/v1/conversations/{conversation_id}/messages"
    extensions = {"trace": trace}
    try:
        async with (
            aconnect_sse(
                client, "POST", path, json={"text": text}, extensions=extensions
            ) as source,
            _open_stream(),
        ):
            response = source.response
            sample.server_start = server_timing(response.headers.get("server-timing"))
            if response.status_code != 200:
                await response.aread()
                sample.error = f"HTTP {response.status_code} {_problem_code(response)}"
                sample.detail = f"conversation {conversation_id}: {response.text[:300]}"
                return sample
            async for event in source.aiter_sse():
                if not event.event:
                    continue
                elapsed = time.perf_counter() - started
                sample.events += 1
                if sample.first_event is None:
                    sample.first_event = elapsed
                if event.event == "token" and sample.first_token is None:
                    sample.first_token = elapsed
                if event.event == "error":
                    sample.error = f"error event ({_json_field(event.data, 'error')})"
                    sample.detail = f"conversation {conversation_id}: {event.data[:300]}"
                    return sample
                if event.event == "done":
                    sample.latency = elapsed
                    return sample
            sample.error = "stream closed before done"
    except Exception as error:
        sample.error = f"{type(error).__name__}"
        connection = "a new" if new_connection else "a reused keep-alive"
        sample.detail = (
            f"{_failure(error, conversation_id, sample, started)}, on {connection} connection"
        )
    return sample


async def tandem_conversation(
    base_url: str, token: str, texts: Sequence[str], sink: list[TurnSample]
) -> None:
    """As one customer with their own client: open a conversation, send `texts` in turn."""
    async with http_client(base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        try:
            response = await client.post("/v1/conversations", json={})
            if response.status_code != 201:
                failure = f"create: HTTP {response.status_code} {_problem_code(response)}"
            else:
                conversation_id = response.json()["id"]
                failure = ""
        except Exception as error:
            failure = f"create: {type(error).__name__}"
        if failure:
            sink.extend(TurnSample(error=failure) for _ in texts)
            return
        for text in texts:
            sink.append(await tandem_turn(client, conversation_id, text))


async def langgraph_turn(
    client: LangGraphClient, thread_id: str, text: str, customer_id: str
) -> TurnSample:
    """Stream one run on a `langgraph dev` thread and time its parts until the stream ends."""
    sample = TurnSample()
    graph_input: dict[str, Any] = {"messages": [{"role": "user", "content": text}]}
    started = time.perf_counter()
    try:
        with STREAMS.holding():
            async for part in client.runs.stream(
                thread_id,
                "support",
                input=graph_input,
                context={"customer_id": customer_id},
                stream_mode=LANGGRAPH_STREAM_MODES,
            ):
                elapsed = time.perf_counter() - started
                sample.events += 1
                if sample.first_event is None:
                    sample.first_event = elapsed
                if (
                    part.event.startswith("messages")
                    and sample.first_token is None
                    and _chunk_has_content(part.data)
                ):
                    sample.first_token = elapsed
                if part.event == "error":
                    sample.error = f"error event ({_error_name(part.data)})"
                    return sample
        sample.latency = time.perf_counter() - started
    except Exception as error:
        sample.error = f"{type(error).__name__}"
        sample.detail = _failure(error, thread_id, sample, started)
    return sample


async def langgraph_conversation(
    base_url: str, texts: Sequence[str], customer_id: str, sink: list[TurnSample]
) -> None:
    """As one customer with their own client: create a thread, run `texts` on it in turn."""
    async with LangGraphClient(http_client(base_url)) as client:
        try:
            thread = await client.threads.create()
        except Exception as error:
            sink.extend(TurnSample(error=f"create: {type(error).__name__}") for _ in texts)
            return
        for text in texts:
            sink.append(await langgraph_turn(client, thread["thread_id"], text, customer_id))


@contextlib.asynccontextmanager
async def _open_stream() -> AsyncIterator[None]:
    with STREAMS.holding():
        yield


def _failure(error: Exception, conversation_id: str, sample: TurnSample, started: float) -> str:
    cause = error.__cause__ or error.__context__
    return (
        f"conversation {conversation_id}, after {time.perf_counter() - started:.2f} s and "
        f"{sample.events} events: {error!r}" + (f" (caused by {cause!r})" if cause else "")
    )


def _chunk_has_content(data: Any) -> bool:
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return bool(data[0].get("content"))
    return False


def _error_name(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("error") or data.get("message") or "?")
    return str(data)[:80]


def _json_field(data: str, key: str) -> str:
    try:
        return str(json.loads(data).get(key, "?"))
    except (ValueError, AttributeError):
        return "?"


def server_timing(header: str | None) -> float | None:
    """Seconds of the `app` entry of a `Server-Timing` header (``app;dur=MS``), or None."""
    for entry in (header or "").split(","):
        name, _, parameters = entry.strip().partition(";")
        if name != "app":
            continue
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key == "dur":
                try:
                    return float(value) / 1000.0
                except ValueError:
                    return None
    return None


def _problem_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except (ValueError, AttributeError):
        return ""
