"""Amazon SES receiving: SNS notifications of received mail, read from S3 or inline.

A receipt rule stores each message in S3 and notifies an SNS topic (or publishes the
message itself through SNS); the topic's HTTPS subscription posts to
`/v1/channels/email/sns`. After the signature checks out, a subscription confirmation is
confirmed by visiting its `SubscribeURL`; a `Received` notification's raw message is read
(S3 `GetObject`, or the notification's own `content`) and handed to the intake with SES's
SPF/DKIM/DMARC verdict as the sender verdict. Spam and virus finds are dropped.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Callable
from functools import cached_property
from typing import Any

import httpx

from channels.email.intake import EmailIntake
from channels.email.sns import SnsVerifier, rejected_by_scan, sender_verified, trusted_url

logger = logging.getLogger("tandem.channels.email.ses")


class SesReceiver:
    """Handles verified SNS messages of SES receipt rules."""

    def __init__(
        self,
        intake: EmailIntake,
        verifier: SnsVerifier,
        s3_client: Callable[[], Any],
        topic_arns: tuple[str, ...] = (),
    ) -> None:
        """`s3_client` makes the S3 client the raw mail is read with (on first use)."""
        self.intake = intake
        self.verifier = verifier
        self._s3_client = s3_client
        self.topic_arns = topic_arns

    @cached_property
    def s3(self) -> Any:
        """The S3 client, made when the first stored mail is read."""
        return self._s3_client()

    def accepts_topic(self, topic_arn: str) -> bool:
        """Whether notifications from this topic are taken (any topic when none is set)."""
        return not self.topic_arns or topic_arn in self.topic_arns

    async def handle(self, message: dict[str, Any]) -> str:
        """Act on a verified SNS message; return what was done (for logs and tests)."""
        try:
            if message["Type"] == "SubscriptionConfirmation":
                return await self._confirm(message)
            if message["Type"] == "Notification":
                return await self._received(json.loads(message["Message"]))
        except Exception:
            logger.exception("SES notification %s failed", message.get("MessageId"))
            return "failed"
        return "ignored:unsubscribe"

    async def _confirm(self, message: dict[str, Any]) -> str:
        url = str(message.get("SubscribeURL") or "")
        if not trusted_url(url, self.verifier.extra_prefix):
            logger.warning("subscription URL is not an SNS endpoint; not confirmed")
            return "ignored:untrusted_subscribe_url"
        async with httpx.AsyncClient(timeout=self.verifier.timeout) as client:
            response = await client.get(url)
            response.raise_for_status()
        logger.info("confirmed the SNS subscription to %s", message["TopicArn"])
        return "confirmed"

    async def _raw(self, notification: dict[str, Any]) -> bytes | None:
        action = (notification.get("receipt") or {}).get("action") or {}
        if action.get("type") == "S3":
            response = await asyncio.to_thread(
                self.s3.get_object, Bucket=action["bucketName"], Key=action["objectKey"]
            )
            return bytes(await asyncio.to_thread(response["Body"].read))
        content = notification.get("content")
        if isinstance(content, str):
            if str(action.get("encoding", "")).upper() == "BASE64":
                return base64.b64decode(content)
            return content.encode()
        return None

    async def _received(self, notification: dict[str, Any]) -> str:
        if notification.get("notificationType") != "Received":
            return f"ignored:{notification.get('notificationType')}"
        if rejected_by_scan(notification):
            return "ignored:spam_or_virus"
        raw = await self._raw(notification)
        if raw is None:
            return "ignored:no_content"
        envelope_from = (notification.get("mail") or {}).get("source")
        return await self.intake.take(raw, sender_verified(notification), envelope_from)
