"""`Root`: the one object that turns settings into a running Tandem.

An entry point creates one `Root` from the settings and asks it for what it needs: the
graph's dependencies (`services`), a compiled graph with its checkpointer, the long-term
store, and the conversation runtime (server store, lease, fan-out, runner policy). Each
part is built on first request and kept, so a process holds one of each.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore

from config.private_files import private_dir
from config.settings import Settings
from conversations.audit_log import AuditLog
from conversations.channel_store import ChannelStore
from conversations.domain_events import EventSink, RecordingServerStore
from conversations.fanout import RedisFanout
from conversations.hub import EventHub, QueueFeed
from conversations.lease import ConversationLease
from conversations.opt_outs import OptOuts
from conversations.runner import RunnerPolicy
from conversations.store import ServerStore
from graphs.audit import NoAudit
from graphs.services import Services
from graphs.support import compile_graph
from graphs.tracing import is_traced, traced
from wiring import backends, channels, messaging, observability, persistence


class Root:
    """Builds every backend the settings select, once, and hands them to entry points."""

    def __init__(self, settings: Settings, services: Services | None = None) -> None:
        """`services` replaces the graph's dependencies built from settings (tests, embedding)."""
        self.settings = settings
        self._services = services

    @cached_property
    def audit_log(self) -> AuditLog:
        """The append-only audit log (opened once; `close_audit_log` closes it)."""
        return persistence.open_audit_log(self.settings)

    def close_audit_log(self) -> None:
        """Close the audit log when it was opened."""
        if "audit_log" in self.__dict__:
            self.__dict__.pop("audit_log").close()

    @cached_property
    def tracer_provider(self) -> Any:
        """The OpenTelemetry tracer provider, or None when tracing is off (no OTLP endpoint)."""
        return observability.tracer_provider()

    @property
    def tracer(self) -> Any:
        """The tracer turns and traced dependencies use, or None when tracing is off."""
        provider = self.tracer_provider
        return provider.get_tracer("tandem") if provider is not None else None

    def close_tracing(self) -> None:
        """Export the spans still buffered and stop the exporter."""
        if self.__dict__.get("tracer_provider") is not None:
            self.__dict__.pop("tracer_provider").shutdown()

    @cached_property
    def domain_events(self) -> EventSink:
        """Where domain events go (opened once; `close_domain_events` flushes and closes it)."""
        return observability.open_event_sink(self.settings)

    def close_domain_events(self) -> None:
        """Flush and close the domain event sink when it was opened."""
        if "domain_events" in self.__dict__:
            self.__dict__.pop("domain_events").close()

    @cached_property
    def services(self) -> Services:
        """The graph's dependencies: order store, help centre, engines, model loader, limits.

        Given services are used as they are (the caller may still change them); without an
        audit sink they record to this root's audit log.
        """
        if self._services is not None:
            if isinstance(self._services.audit, NoAudit):
                self._services.audit = self.audit_log
            return self._traced(self._services)
        from prompts.catalogue import load_catalogue

        settings = self.settings
        private_dir(settings.data_dir)
        catalogue = load_catalogue()
        classifier, sentiment = backends.understanding_engines(settings, catalogue)
        return self._traced(Services(
            orders=backends.open_order_store(settings),
            kb=backends.open_knowledge_base(settings),
            sentiment=sentiment,
            redactor=backends.build_pii_redactor(settings),
            classifier=classifier,
            catalogue=catalogue,
            limits=backends.turn_limits(settings),
            default_model=settings.model,
            default_tenant=settings.tenant,
            load_model=backends.chat_model_loader(settings),
            model_plans=settings.model_plans,
            audit=self.audit_log,
        ))  # fmt: skip

    def _traced(self, services: Services) -> Services:
        """`services` with the order store and help centre traced, when tracing is on."""
        tracer = self.tracer
        if tracer is not None and not is_traced(services.orders):
            services.orders = traced(services.orders, "orders", tracer)
            services.kb = traced(services.kb, "knowledge_base", tracer)
        return services

    def graph(
        self, checkpointer: BaseCheckpointSaver[Any] | None, store: BaseStore | None = None
    ) -> Any:
        """The support graph on this root's services, with `checkpointer` and `store`."""
        return compile_graph(self.services, checkpointer, store)

    @contextlib.contextmanager
    def open_graph(self) -> Iterator[Any]:
        """Yield the graph with the configured synchronous checkpointer and long-term memory."""
        with self.open_checkpointer() as saver, self.open_long_term_store() as store:
            yield self.graph(saver, store)

    def open_checkpointer(self) -> contextlib.AbstractContextManager[BaseCheckpointSaver[str]]:
        """The configured checkpointer for synchronous runs."""
        return persistence.open_checkpointer(self.settings)

    def open_async_checkpointer(
        self,
    ) -> contextlib.AbstractAsyncContextManager[BaseCheckpointSaver[str]]:
        """The configured checkpointer for an event loop."""
        return persistence.open_async_checkpointer(self.settings)

    def open_long_term_store(self) -> contextlib.AbstractContextManager[BaseStore]:
        """The configured long-term customer memory."""
        return persistence.open_long_term_store(self.settings)

    def server_store(self) -> ServerStore:
        """A new connection to the conversations, event log and handoff queue.

        Its changes are published as domain events (`conversations.domain_events`).
        """
        return RecordingServerStore(
            persistence.open_server_store(self.settings), self.domain_events
        )

    def lease(self) -> ConversationLease:
        """The configured single-writer lease."""
        return persistence.open_lease(self.settings)

    def runner_policy(self) -> RunnerPolicy:
        """How turns treat concurrent messages and checkpoints."""
        return persistence.runner_policy(self.settings)

    def fanout(
        self, hub: EventHub, feed: QueueFeed
    ) -> contextlib.AbstractAsyncContextManager[RedisFanout | None]:
        """The fan-out between server processes, when configured."""
        return persistence.run_fanout(self.settings, hub, feed)

    def channel_store(self) -> ChannelStore:
        """A new connection to the channel records (seen messages, threads)."""
        return channels.open_channel_store(self.settings)

    def channel_runtime(self) -> channels.ChannelRuntime:
        """The shared channel inbox's configuration."""
        return channels.channel_runtime(self.settings)

    def email_channel(self) -> channels.EmailChannel | None:
        """The email channel's configuration, or None when it is off."""
        return channels.email_channel(self.settings)

    def whatsapp_channel(self) -> messaging.WhatsAppChannel | None:
        """The WhatsApp channel's configuration, or None when it is not configured."""
        return messaging.whatsapp_channel(self.settings)

    def sms_channel(self) -> messaging.SmsChannel | None:
        """The SMS channel's configuration, or None when it is not configured."""
        return messaging.sms_channel(self.settings)

    def sms_opt_outs(self) -> OptOuts:
        """A new connection to the SMS opt-outs."""
        return messaging.open_opt_outs(self.settings)
