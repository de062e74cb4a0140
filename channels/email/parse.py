"""Turn a raw RFC 5322 message into an `InboundMessage`, or say why it is ignored.

Parsing uses the standard library (`email`, `policy.default`). Loop protection comes first:
auto-replies (`Auto-Submitted` other than `no`, `X-Autoreply`, `Precedence: bulk|junk|list`),
bounces (an empty return path or a mailer-daemon sender) and mail from the support mailbox
itself are ignored, so two auto-responders never talk to each other. The text the graph
sees is the newest reply only: quoted history, reply headers and signatures are stripped
with `mail-parser-reply`. Threading keys are the message's In-Reply-To and References;
its own Message-ID is kept so a later reply to it finds the conversation.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from mailparser_reply import EmailReplyParser

from channels.base import InboundMessage

CHANNEL = "email"

BULK_PRECEDENCE = ("bulk", "junk", "list")
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
MAX_TEXT_CHARS = 20_000
"""Longest text taken from one email body (the graph bounds it again)."""

_REPLY_PARSER = EmailReplyParser(languages=["en", "de", "fr", "it", "es"])
_MSGID = re.compile(r"<[^<>\s]+>")
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class RawAttachment:
    """An attachment's bytes before it is stored."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedEmail:
    """A parsed inbound email: the message for the inbox, or why it is ignored."""

    message: InboundMessage | None
    ignored: str | None = None
    attachments: list[RawAttachment] = field(default_factory=list)


def message_ids(value: str | None) -> list[str]:
    """The `<id@host>` tokens of a Message-ID, In-Reply-To or References header."""
    return _MSGID.findall(value or "")


def ignore_reason(mail: EmailMessage, envelope_from: str | None, own_address: str) -> str | None:
    """Why the message must not get an answer (auto-reply, bulk, bounce, our own), or None."""
    auto = str(mail.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "auto_submitted"
    if mail.get("X-Autoreply") or mail.get("X-Autorespond"):
        return "auto_submitted"
    if str(mail.get("Precedence", "")).strip().lower() in BULK_PRECEDENCE:
        return "bulk"
    if mail.get("List-Id") or mail.get("List-Unsubscribe"):
        return "bulk"
    sender = parseaddr(str(mail.get("From", "")))[1].lower()
    if envelope_from is not None and envelope_from.strip("<> ") == "":
        return "bounce"
    if not sender or sender.split("@")[0] in BOUNCE_SENDERS:
        return "bounce"
    if sender == own_address.lower():
        return "own_address"
    return None


def newest_reply(text: str) -> str:
    """The customer's newest words: quoted history, reply headers and signatures removed."""
    parsed = _REPLY_PARSER.read(text=text)
    if parsed.replies:
        body = (parsed.replies[0].body or "").strip()
        if body:
            return body
    return text.strip()


def html_to_text(markup: str) -> str:
    """A plain-text reading of an HTML body (used only when a mail has no text part)."""
    markup = re.sub(r"(?is)<(script|style).*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", markup)
    return html.unescape(_TAGS.sub("", markup))


def body_text(mail: EmailMessage) -> str:
    """The plain-text body, else a reading of the HTML body."""
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return str(content)[:MAX_TEXT_CHARS]


def attachments_of(mail: EmailMessage) -> list[RawAttachment]:
    """The message's attachments (not its body parts)."""
    found: list[RawAttachment] = []
    for part in mail.iter_attachments():
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        found.append(
            RawAttachment(
                filename=part.get_filename() or "attachment",
                content_type=part.get_content_type(),
                data=data,
            )
        )
    return found


def parse_email(
    raw: bytes,
    own_address: str,
    verified: bool,
    envelope_from: str | None = None,
) -> ParsedEmail:
    """Parse `raw`; `verified` is the channel's verdict on the sender (SPF/DKIM, trusted relay)."""
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(mail, EmailMessage)
    reason = ignore_reason(mail, envelope_from, own_address)
    if reason is not None:
        return ParsedEmail(None, ignored=reason)
    name, sender = parseaddr(str(mail.get("From", "")))
    own_ids = message_ids(str(mail.get("Message-ID", "")))
    message_id = own_ids[0] if own_ids else f"<sha256-{hashlib.sha256(raw).hexdigest()}>"
    in_reply_to = message_ids(str(mail.get("In-Reply-To", "")))
    references = message_ids(str(mail.get("References", "")))
    subject = str(mail.get("Subject", "")).strip()
    text = newest_reply(body_text(mail))
    cc = [addr for _, addr in getaddresses([str(v) for v in mail.get_all("Cc", [])])]
    message = InboundMessage(
        channel=CHANNEL,
        provider_message_id=message_id,
        sender=sender.lower(),
        text=text,
        verified=verified,
        # Newest first: the message answered, then the rest of the chain; a mail answering
        # nothing names only itself, so it opens a conversation of its own.
        thread_keys=tuple(dict.fromkeys([*in_reply_to, *reversed(references)])) or (message_id,),
        own_keys=(message_id,),
        reply_state={
            "subject": subject,
            # A mail without a Message-ID gets a digest as its id here, never in a reply.
            "message_id": own_ids[0] if own_ids else None,
            "references": [*references, *[i for i in in_reply_to if i not in references]],
            "cc": cc,
        },
        display_name=name or None,
    )
    return ParsedEmail(message, attachments=attachments_of(mail))
