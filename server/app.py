"""The FastAPI application: lifespan-owned backends, routers, middleware, problem handlers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from config.settings import Settings, get_settings
from graphs.services import Services, build_embedded_services, use_services
from graphs.support import builder
from memory.checkpointer import open_checkpointer
from server.auth.local_issuer import issuer_from_settings
from server.auth.verifier import verifier_from_settings
from server.fanout import fanout_from_settings
from server.hub import EventHub, QueueFeed
from server.middleware import BodyLimitMiddleware, RequestContextMiddleware
from server.problems import install_problem_handlers
from server.ratelimit import TokenBucketLimiter
from server.routes import (
    conversations,
    health,
    help_centre,
    local_auth,
    metrics,
    orders,
    queue,
    web,
    websocket,
)
from server.runner import TurnRunner
from server.runtime import ServerRuntime
from server.store import open_server_store

API_DESCRIPTION = """
Tandem's HTTP API. Customers chat (`/v1/conversations`, streamed as Server-Sent Events or
over a WebSocket); human agents work the handoff queue (`/v1/queue`). Every request needs
a JWT bearer token (Amazon Cognito in production, `tandem auth token` in development).
Errors are `application/problem+json`.
"""


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; `services` overrides the embedded backends (tests, embedding)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            executor = ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="turn")
            asyncio.get_running_loop().set_default_executor(executor)
            stack.callback(executor.shutdown, wait=False)
            backends = services or build_embedded_services(settings)
            stack.enter_context(use_services(backends))
            saver: BaseCheckpointSaver[str]
            if settings.checkpointer == "memory":
                saver = InMemorySaver()
            elif settings.checkpointer == "dynamodb":
                saver = stack.enter_context(open_checkpointer(settings))
            else:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                sqlite_saver = await stack.enter_async_context(
                    AsyncSqliteSaver.from_conn_string(str(settings.checkpoint_db))
                )
                # As the synchronous checkpointer does: readers beside the writer, and
                # no fsync per checkpoint (a process crash still loses nothing committed).
                await sqlite_saver.conn.execute("PRAGMA journal_mode=WAL")
                await sqlite_saver.conn.execute("PRAGMA synchronous=NORMAL")
                saver = sqlite_saver
            graph = builder.compile(checkpointer=saver)
            store = open_server_store(settings)
            stack.callback(store.close)
            hub, feed = EventHub(store), QueueFeed()
            await stack.enter_async_context(fanout_from_settings(settings, hub, feed))
            runner = TurnRunner(graph, store, hub, feed, settings)
            gate_watch = asyncio.create_task(runner.gate.watch())
            stack.callback(gate_watch.cancel)
            app.state.runtime = ServerRuntime(
                settings=settings,
                services=backends,
                graph=graph,
                store=store,
                hub=hub,
                feed=feed,
                runner=runner,
                limiter=TokenBucketLimiter(settings.rate_limit_per_minute),
            )
            app.state.local_issuer = (
                issuer_from_settings(settings) if settings.auth_mode == "local" else None
            )
            app.state.verifier = verifier_from_settings(settings, app.state.local_issuer)
            yield
            await runner.drain()

    app = FastAPI(
        title="Tandem",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    for router in (
        health.router,
        conversations.router,
        queue.router,
        orders.router,
        websocket.router,
        local_auth.router,
        help_centre.router,
        metrics.router,
        web.router,  # last: its catch-all app routes must not shadow the API
    ):
        app.include_router(router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    return app
