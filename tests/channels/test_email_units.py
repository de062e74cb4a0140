"""Email parsing, rendering, the sender limit and the channel records, without servers."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from channels.base import OutboundReply, Thread
from channels.email.attachments import object_key, safe_name
from channels.email.parse import RawAttachment, parse_email
from channels.email.render import render_email, reply_subject
from channels.limits import SenderLimit
from conversations.channel_store_sqlite import SqliteChannelStore

OWN = "support@shop.example"


def _raw(body: str, **headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = headers.pop("From", "Alex <Alex@Example.com>")
    mail["To"] = OWN
    mail["Subject"] = "Help"
    mail["Message-ID"] = headers.pop("Message_ID", "<m2@client.example>")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail.as_bytes()


def test_quoted_history_and_signature_are_stripped():
    body = (
        "Please cancel order #W1234567.\n\nBest,\nAlex\n--\nAlex Morgan\nSent from my phone\n\n"
        "On Mon, 7 Dec 2026 at 10:00, Tandem Support <support@shop.example> wrote:\n"
        "> Your order shipped.\n> Anything else?\n"
    )
    parsed = parse_email(_raw(body), OWN, verified=True)
    assert parsed.message is not None
    assert parsed.message.text == "Please cancel order #W1234567."
    assert parsed.message.sender == "alex@example.com"


def test_threading_keys_come_newest_first_and_a_new_mail_names_itself():
    reply = parse_email(
        _raw("ok", In_Reply_To="<r1@shop.example>", References="<m1@c> <r1@shop.example>"),
        OWN,
        verified=False,
    ).message
    assert reply is not None
    assert reply.thread_keys == ("<r1@shop.example>", "<m1@c>")
    assert reply.reply_state["references"] == ["<m1@c>", "<r1@shop.example>"]
    fresh = parse_email(_raw("hello"), OWN, verified=False).message
    assert fresh is not None and fresh.thread_keys == ("<m2@client.example>",)


def test_auto_submitted_no_is_a_person():
    parsed = parse_email(_raw("hi", Auto_Submitted="no"), OWN, verified=True)
    assert parsed.message is not None
    assert parse_email(_raw("hi", List_Id="<news.shop>"), OWN, True).ignored == "bulk"
    assert parse_email(_raw("hi"), OWN, True, envelope_from="<>").ignored == "bounce"


def test_reply_headers_and_escaped_html():
    thread = Thread(
        "c1",
        "email",
        "alex@example.com",
        {"subject": "Help", "message_id": "<m2@c>", "references": ["<m1@c>", "<m2@c>"]},
    )
    reply = OutboundReply("Shall I cancel it? <script>x()</script>", choices=("yes", "no"))
    mail = render_email(reply, thread, OWN, "Shop")
    parsed = BytesParser(policy=policy.default).parsebytes(mail.as_bytes())
    assert parsed["In-Reply-To"] == "<m2@c>"
    assert parsed["References"] == "<m1@c> <m2@c>"
    assert parsed["Subject"] == "Re: Help"
    markup = parsed.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "Reply with YES or NO." in parsed.get_body(preferencelist=("plain",)).get_content()
    assert reply_subject("RE: Help") == "RE: Help"


def test_attachment_names_cannot_escape():
    raw = RawAttachment("../../etc/passwd", "text/plain", b"x")
    assert "/" not in safe_name(raw.filename) and ".." not in object_key("<m@c>", raw)


def test_sender_limit_slides():
    limit = SenderLimit(per_hour=2)
    assert limit.allow("email", "a@x", now=0) and limit.allow("email", "A@x", now=1)
    assert not limit.allow("email", "a@x", now=2)
    assert limit.allow("email", "b@x", now=2)
    assert limit.allow("email", "a@x", now=3601)


def test_claims_are_once_and_threads_keep_their_cursor(tmp_path):
    store = SqliteChannelStore(tmp_path / "channels.sqlite")
    assert store.claim("email", "in:<m1>") and not store.claim("email", "in:<m1>")
    store.release("email", "in:<m1>")
    assert store.claim("email", "in:<m1>")
    store.save_thread({"conversation_id": "c1", "channel": "email", "address": "a@x", "state": {}})
    store.set_delivered("c1", 7)
    store.set_delivered("c1", 3)
    store.save_thread(
        {"conversation_id": "c1", "channel": "email", "address": "a@x", "state": {"s": 1}}
    )
    thread = store.get_thread("c1")
    assert thread is not None and thread["delivered_seq"] == 7 and thread["state"] == {"s": 1}
    store.link("email", ["<m1>", "<r1>"], "c1")
    assert store.find("email", ["<zz>", "<r1>"]) == "c1"
    store.close()


def test_a_mail_without_message_id_is_still_deduplicated_but_not_quoted():
    mail = EmailMessage()
    mail["From"] = "alex@example.com"
    mail["To"] = OWN
    mail.set_content("hi")
    raw = mail.as_bytes()
    first = parse_email(raw, OWN, verified=True).message
    again = parse_email(raw, OWN, verified=True).message
    assert first is not None and again is not None
    assert first.provider_message_id == again.provider_message_id
    assert first.reply_state["message_id"] is None
    thread = Thread("c1", "email", "alex@example.com", first.reply_state)
    reply = render_email(OutboundReply("hello"), thread, OWN, "Shop")
    assert reply["In-Reply-To"] is None and reply["Subject"] == "Re: Your support request"
