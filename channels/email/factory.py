"""Starts the email channel from its configuration: sender, attachments, receivers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from channels.email.adapter import EmailAdapter
from channels.email.attachments import AttachmentStore, LocalAttachments, S3Attachments
from channels.email.intake import EmailIntake
from channels.email.outbound import MailSender, SesSender, SmtpRelay
from channels.email.ses_receipt import SesReceiver
from channels.email.smtp_server import InboundHandler, serve_smtp
from channels.email.sns import SnsVerifier
from channels.registry import Channels, register
from cloud.aws import aws_client
from wiring.channels import EmailChannel
from wiring.root import Root


def mail_sender(config: EmailChannel) -> MailSender:
    """The configured way replies leave: SES or an SMTP relay."""
    if config.outbound == "ses":
        return SesSender(aws_client("ses", config.region, config.ses_endpoint_url))
    return SmtpRelay(
        config.relay_host,
        config.relay_port,
        starttls=config.relay_starttls,
        username=config.relay_username,
        password=config.relay_password,
    )


def attachment_store(config: EmailChannel) -> AttachmentStore:
    """A local folder, or the configured S3 bucket."""
    if config.attachment_bucket:
        s3 = aws_client("s3", config.region, config.s3_endpoint_url)
        return S3Attachments(s3, config.attachment_bucket)
    return LocalAttachments(config.attachments_dir)


@contextlib.asynccontextmanager
async def open_email(root: Root, channels: Channels) -> AsyncIterator[EmailAdapter | None]:
    """Run the email channel when it is on; publish its receivers in `channels.extras`."""
    config = root.email_channel()
    if config is None:
        yield None
        return
    intake = EmailIntake(channels.intake, attachment_store(config), config.address)
    channels.extras["email_intake"] = intake
    channels.extras["email_sns"] = SesReceiver(
        intake,
        SnsVerifier(config.sns_certificate_prefix),
        lambda: aws_client("s3", config.region, config.s3_endpoint_url),
        config.sns_topic_arns,
    )
    adapter = EmailAdapter(mail_sender(config), config.address, config.display_name)
    if config.smtp_port is None:
        yield adapter
        return
    handler = InboundHandler(intake, config.address, config.smtp_trust_senders)
    async with serve_smtp(handler, config.smtp_host, config.smtp_port) as server:
        channels.extras["email_smtp"] = handler
        channels.extras["email_smtp_address"] = server.sockets[0].getsockname()[:2]
        yield adapter


register("email", open_email)
