"""OpenTelemetry spans for a turn's graph: each node, each model call, each tool or store call.

`GraphTracer` is a LangChain callback handler a turn runs with (only when tracing is on):
every graph node becomes a span under the turn's span, and every chat-model call a span
under its node with the model, its tokens, cost and time to first token. `traced` wraps a
dependency (the order store, the help centre) so each of its calls is a span under the node
that made it: the node is found through the run's config LangGraph sets for the node's code.

Spans carry names, ids and numbers only, never prompts, replies or tool arguments, so no
personal data leaves in a trace.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any, TypeVar, cast
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult
from langchain_core.runnables.config import var_child_runnable_config
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from graphs.drafting.pricing import cost_usd

T = TypeVar("T")

_SPANS: dict[UUID, Span] = {}
"""The span each callback run (graph, node, or a chain inside a node) belongs under.

Shared by every turn's tracer, so `traced` can find the span of the node calling it."""
_SPANS_LOCK = threading.Lock()


def _node_of(name: str | None, metadata: dict[str, Any] | None) -> str | None:
    """The node's name when the chain run is a graph node itself (not a chain inside one)."""
    node = (metadata or {}).get("langgraph_node")
    return str(node) if node and node == name else None


class GraphTracer(BaseCallbackHandler):
    """Turns a turn's callback runs into spans under `parent` (the turn's span)."""

    run_inline = True

    def __init__(self, tracer: Tracer, parent: Span) -> None:
        self.tracer = tracer
        self.parent = parent
        self._own: dict[UUID, Span] = {}
        self._first_token: dict[UUID, float] = {}
        self._started: dict[UUID, float] = {}
        self._inner: set[UUID] = set()
        self._nodes: dict[UUID | None, str] = {}
        """The node of each node span (a chain inside a node may carry the node's name)."""

    def _parent_of(self, parent_run_id: UUID | None) -> Span:
        if parent_run_id is None:
            return self.parent
        return _SPANS.get(parent_run_id, self.parent)

    def _start(self, run_id: UUID, name: str, parent_run_id: UUID | None, **attrs: Any) -> Span:
        context = trace.set_span_in_context(self._parent_of(parent_run_id))
        span = self.tracer.start_span(name, context=context, attributes=attrs)
        self._own[run_id] = span
        with _SPANS_LOCK:
            _SPANS[run_id] = span
        return span

    def _end(self, run_id: UUID, error: BaseException | None = None) -> Span | None:
        self._inner.discard(run_id)
        self._nodes.pop(run_id, None)
        with _SPANS_LOCK:
            _SPANS.pop(run_id, None)
        span = self._own.pop(run_id, None)
        if span is not None:
            if error is not None:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            span.end()
        return span

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A node starts a span; any other chain runs under its parent's span."""
        node = _node_of(kwargs.get("name"), metadata)
        if node is not None and self._nodes.get(parent_run_id) != node:
            self._nodes[run_id] = node
            self._start(run_id, f"node {node}", parent_run_id, **{"langgraph.node": node})
        else:
            self._inner.add(run_id)
            with _SPANS_LOCK:
                _SPANS[run_id] = self._parent_of(parent_run_id)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """End the node's span."""
        self._end(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End the node's span as failed (an interrupt is a pause, not a failure)."""
        paused = type(error).__name__ in ("GraphInterrupt", "ParentCommand")
        self._end(run_id, None if paused else error)

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        invocation_params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A model call's span, with the model asked for."""
        params = invocation_params or {}
        model = str(params.get("model_id") or params.get("model") or params.get("_type") or "")
        self._start(
            run_id,
            "model",
            parent_run_id,
            **{"gen_ai.operation.name": "chat", "gen_ai.request.model": model},
        )
        self._started[run_id] = time.perf_counter()

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """Note the first token's time (nothing else per token)."""
        if run_id not in self._first_token and run_id in self._started:
            self._first_token[run_id] = time.perf_counter()

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """End the model span with its tokens, cost and time to first token."""
        span = self._own.get(run_id)
        started = self._started.pop(run_id, None)
        first = self._first_token.pop(run_id, None)
        if span is not None:
            if started is not None and first is not None:
                span.set_attribute("tandem.model.time_to_first_token_ms", (first - started) * 1000)
            _set_usage(span, response)
        self._end(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """End the model span as failed."""
        self._started.pop(run_id, None)
        self._first_token.pop(run_id, None)
        self._end(run_id, error)

    def close(self) -> None:
        """End whatever a cancelled turn left open."""
        for run_id in [*self._own, *self._inner]:
            self._end(run_id)


def _set_usage(span: Span, response: LLMResult) -> None:
    """Tokens and estimated cost of a model response, as `gen_ai.usage.*` attributes."""
    generation = response.generations[0][0] if response.generations else None
    message = getattr(generation, "message", None)
    usage: dict[str, Any] = dict(getattr(message, "usage_metadata", None) or {})
    model = (getattr(message, "response_metadata", None) or {}).get("model_name") or ""
    details = usage.get("input_token_details") or {}
    tokens_in = int(usage.get("input_tokens") or 0)
    tokens_out = int(usage.get("output_tokens") or 0)
    span.set_attribute("gen_ai.usage.input_tokens", tokens_in)
    span.set_attribute("gen_ai.usage.output_tokens", tokens_out)
    if model:
        span.set_attribute("gen_ai.response.model", str(model))
    cost = cost_usd(
        str(model), tokens_in, tokens_out,
        int(details.get("cache_read") or 0), int(details.get("cache_creation") or 0),
    )  # fmt: skip
    if cost is not None:
        span.set_attribute("tandem.model.cost_usd", cost)


def _calling_span() -> Span:
    """The span of the graph node running this code, else the current span."""
    config = var_child_runnable_config.get()
    manager = (config or {}).get("callbacks")
    run_id = getattr(manager, "parent_run_id", None)
    span = _SPANS.get(run_id) if run_id is not None else None
    return span if span is not None else trace.get_current_span()


class _Traced:
    """A proxy whose public method calls are spans named `component.method`."""

    def __init__(self, target: Any, component: str, tracer: Tracer) -> None:
        self._target = target
        self._component = component
        self._tracer = tracer

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name.startswith("_") or not callable(value):
            return value

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            context = trace.set_span_in_context(_calling_span())
            with self._tracer.start_as_current_span(
                f"{self._component}.{name}",
                context=context,
                attributes={"tandem.component": self._component},
            ):
                return value(*args, **kwargs)

        return call


def is_traced(target: Any) -> bool:
    """Whether `target` is already wrapped by `traced`."""
    return isinstance(target, _Traced)


def traced(target: T, component: str, tracer: Tracer) -> T:
    """`target` with each public method call traced as a span (`component.method`)."""
    return cast(T, _Traced(target, component, tracer))
