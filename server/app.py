"""The FastAPI application: lifespan-owned backends, routers, middleware, problem handlers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from channels.registry import open_channels
from config.settings import Settings, get_settings
from graphs.services import Services
from server.auth.local_issuer import issuer_from_settings
from server.auth.local_secret import ensure_local_secret
from server.auth.verifier import verifier_from_settings
from server.graphql import graphql_router
from server.middleware import (
    UPLOAD_OVERHEAD_BYTES,
    BodyLimitMiddleware,
    RequestContextMiddleware,
)
from server.problems import install_problem_handlers
from server.ratelimit import TokenBucketLimiter
from server.routes import (
    attachments,
    audit,
    channels_email,
    conversations,
    csat,
    devices,
    health,
    help_centre,
    local_auth,
    macros,
    metrics,
    orders,
    privacy,
    prometheus,
    queue,
    queue_workspace,
    sms,
    twilio_voice,
    voice,
    web,
    websocket,
    whatsapp,
)
from server.runtime import ServerRuntime
from server.security_headers import SecurityHeadersMiddleware
from server.telemetry import instrument
from wiring.push import open_devices
from wiring.root import Root
from wiring.turns import open_turns
from wiring.uploads import uploads_from_settings

API_DESCRIPTION = """
Tandem's HTTP API. Customers chat (`/v1/conversations`, streamed as Server-Sent Events or
over a WebSocket); human agents work the handoff queue (`/v1/queue`). Every request needs
a JWT bearer token (Amazon Cognito in production, `tandem auth token` in development).
Errors are `application/problem+json`.
"""


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; `services` overrides the graph's dependencies (tests, embedding)."""
    settings = settings or get_settings()
    root = Root(settings, services)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            executor = ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="turn")
            asyncio.get_running_loop().set_default_executor(executor)
            stack.callback(executor.shutdown, wait=False)
            stack.callback(root.close_audit_log)
            stack.callback(root.close_tracing)
            turns = await stack.enter_async_context(open_turns(root))
            channels = await stack.enter_async_context(open_channels(root, turns))
            runner = turns.runner
            phones = stack.enter_context(open_devices(settings, turns.hub, turns.store))
            gate_watch = asyncio.create_task(runner.gate.watch())
            stack.callback(gate_watch.cancel)
            app.state.runtime = ServerRuntime(
                settings=settings,
                services=root.services,
                graph=turns.graph,
                store=turns.store,
                hub=turns.hub,
                feed=turns.feed,
                runner=runner,
                limiter=TokenBucketLimiter(settings.rate_limit_per_minute),
                audit=root.audit_log,
                memory=turns.memory,
                channels=channels,
                devices=phones,
                uploads=uploads_from_settings(settings),
            )
            app.state.local_issuer = None
            if settings.auth_mode == "local":
                app.state.local_issuer = issuer_from_settings(settings)
                app.state.local_secret = ensure_local_secret(settings.local_secret_file)
                app.state.sign_in_limiter = TokenBucketLimiter(settings.local_token_per_minute)
            app.state.verifier = verifier_from_settings(settings, app.state.local_issuer)
            yield

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
        attachments.router,
        devices.router,
        queue.router,
        queue_workspace.router,
        macros.router,
        orders.router,
        websocket.router,
        voice.router,
        twilio_voice.router,
        local_auth.router,
        audit.router,
        help_centre.router,
        metrics.router,
        prometheus.router,
        csat.router,
        channels_email.router,
        whatsapp.router,
        sms.router,
        privacy.router,
        graphql_router(settings),
        web.router,  # last: its catch-all app routes must not shadow the API
    ):
        app.include_router(router)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.attachment_max_bytes + UPLOAD_OVERHEAD_BYTES,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    instrument(app, root.tracer_provider)
    return app
