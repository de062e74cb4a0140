"""Replies as email: HTML and plain-text alternatives, threaded in the customer's mail client.

A reply answers the thread's latest inbound message: `In-Reply-To` is its Message-ID,
`References` the chain before it plus that id, and the subject is `Re: <subject>`. Bot
replies carry `Auto-Submitted: auto-replied` (RFC 3834) so that well-behaved
auto-responders do not answer them; a human agent's replies do not. The HTML part is
rendered from the reply's Markdown with raw HTML disabled, so nothing an agent or the
model writes can inject markup.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from markdown_it import MarkdownIt

from channels.base import OutboundReply, Thread

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})
CHOICES_HINT = "Reply with {choices}."


def reply_subject(subject: str) -> str:
    """`Re: <subject>` (once), or a default subject for a thread without one."""
    subject = " ".join(subject.split()) or "Your support request"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _footer(reply: OutboundReply) -> list[str]:
    lines: list[str] = []
    if reply.choices:
        lines.append(CHOICES_HINT.format(choices=" or ".join(c.upper() for c in reply.choices)))
    for source in reply.sources:
        lines.append(f"Source: {source.get('title') or source.get('url')} <{source.get('url')}>")
    return lines


def plain_body(reply: OutboundReply) -> str:
    """The plain-text part."""
    signature = f"— {reply.agent}" if reply.author == "agent" and reply.agent else ""
    parts = [reply.text.strip(), *_footer(reply), signature]
    return "\n\n".join(p for p in parts if p) + "\n"


def html_body(reply: OutboundReply) -> str:
    """The HTML part (Markdown rendered, raw HTML escaped)."""
    body = _MARKDOWN.render(reply.text)
    for line in _footer(reply):
        body += f"<p>{html.escape(line)}</p>\n"
    if reply.author == "agent" and reply.agent:
        body += f"<p>— {html.escape(reply.agent)}</p>\n"
    return f"<!doctype html>\n<html><body>\n{body}</body></html>\n"


def render_email(
    reply: OutboundReply, thread: Thread, sender: str, sender_name: str
) -> EmailMessage:
    """The reply as a MIME message to the thread's address, in the thread."""
    state = thread.state
    mail = EmailMessage()
    mail["From"] = formataddr((sender_name, sender))
    mail["To"] = thread.address
    mail["Subject"] = reply_subject(str(state.get("subject") or ""))
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    answered = state.get("message_id")
    if answered:
        mail["In-Reply-To"] = answered
        chain = [r for r in state.get("references") or [] if r != answered]
        mail["References"] = " ".join([*chain, answered])
    if reply.author == "bot":
        mail["Auto-Submitted"] = "auto-replied"
    mail.set_content(plain_body(reply))
    mail.add_alternative(html_body(reply), subtype="html")
    return mail
