"""Start the SMS channel when it is configured: Twilio sender, opt-outs, adapter, webhook."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from channels.registry import Channels, register
from channels.sms.adapter import SmsAdapter
from channels.sms.twilio_api import TwilioSender
from channels.sms.webhook import SmsWebhook
from wiring.root import Root

WEBHOOK_KEY = "sms_webhook"
"""Where the running webhook handler is kept in `Channels.extras`."""


@contextlib.asynccontextmanager
async def open_sms(root: Root, channels: Channels) -> AsyncIterator[SmsAdapter | None]:
    """Yield the SMS adapter (None when unconfigured); close its resources after."""
    config = root.sms_channel()
    if config is None:
        yield None
        return
    opt_outs = root.sms_opt_outs()
    sender = TwilioSender(
        config.account_sid, config.auth_token, config.from_number, config.api_base
    )
    try:
        channels.extras[WEBHOOK_KEY] = SmsWebhook(
            config.auth_token, config.account_sid, opt_outs, config.help_text, config.webhook_url
        )
        yield SmsAdapter(sender, opt_outs, config.max_segments)
    finally:
        await sender.close()
        opt_outs.close()


register("sms", open_sms)
