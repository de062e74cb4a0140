"""Start the WhatsApp channel when it is configured: Graph API client, adapter, webhook."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from channels.registry import Channels, register
from channels.whatsapp.adapter import WhatsAppAdapter
from channels.whatsapp.graph_api import GraphApiClient
from channels.whatsapp.webhook import WhatsAppWebhook
from wiring.root import Root

GRAPH_API_TIMEOUT_SECONDS = 15.0

WEBHOOK_KEY = "whatsapp_webhook"
"""Where the running webhook checker is kept in `Channels.extras`."""


@contextlib.asynccontextmanager
async def open_whatsapp(root: Root, channels: Channels) -> AsyncIterator[WhatsAppAdapter | None]:
    """Yield the WhatsApp adapter (None when unconfigured); close its HTTP client after."""
    config = root.whatsapp_channel()
    if config is None:
        yield None
        return
    async with httpx.AsyncClient(timeout=GRAPH_API_TIMEOUT_SECONDS) as http:
        client = GraphApiClient(
            http, config.token, config.phone_number_id, config.api_base, config.api_version
        )
        channels.extras[WEBHOOK_KEY] = WhatsAppWebhook(
            config.app_secret, config.verify_token, config.phone_number_id
        )
        yield WhatsAppAdapter(client, config.template, config.template_language)


register("whatsapp", open_whatsapp)
