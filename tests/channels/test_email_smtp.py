"""Email end to end on loopback: smtplib → Tandem's SMTP server → turn → reply via a real relay."""

from __future__ import annotations

import pytest

from tests.channels.conftest import SUPPORT, customer_mail

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


def _parts(mail):
    plain = mail.get_body(preferencelist=("plain",))
    markup = mail.get_body(preferencelist=("html",))
    assert plain is not None and markup is not None
    return plain.get_content(), markup.get_content()


def test_reply_is_threaded_and_the_next_mail_continues_the_conversation(
    email_api, relay, alex_email
):
    first = customer_mail(alex_email, "Where is my order #W1234567?\n\nThanks,\nAlex")
    email_api.send(first)
    [reply] = relay.wait_for(1)

    assert reply["To"] == alex_email
    assert SUPPORT in reply["From"]
    assert reply["Subject"] == "Re: Order question"
    assert reply["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in reply["References"]
    assert reply["Auto-Submitted"] == "auto-replied"
    plain, markup = _parts(reply)
    assert plain.strip() and "<html>" in markup

    [conversation] = email_api.email_conversations()
    record = email_api.runtime.store.get_conversation(conversation)
    assert record["customer_id"] == "alex_morgan_1001"  # verified sender → the order store's user

    second = customer_mail(
        alex_email,
        "And can you cancel it?\n\nOn Mon, Tandem Support wrote:\n> " + plain.splitlines()[0],
        reply_to=reply,
    )
    email_api.send(second)
    replies = relay.wait_for(2)
    assert email_api.email_conversations() == [conversation]
    texts = [e["text"] for e in email_api.customer_messages(conversation)]
    assert texts == ["Where is my order #W1234567?", "And can you cancel it?"]
    assert replies[1]["In-Reply-To"] == second["Message-ID"]
    assert first["Message-ID"] in replies[1]["References"]


def test_unknown_sender_is_a_guest_and_a_new_mail_is_a_new_conversation(email_api, relay):
    email_api.send(customer_mail("stranger@elsewhere.example", "What is your return policy?"))
    email_api.send(customer_mail("stranger@elsewhere.example", "Do you ship to Canada?"))
    relay.wait_for(2)
    conversations = email_api.email_conversations()
    assert len(conversations) == 2
    for conversation in conversations:
        assert email_api.runtime.store.get_conversation(conversation)["customer_id"] is None


def test_someone_else_answering_in_the_thread_gets_their_own_conversation(
    email_api, relay, alex_email
):
    first = customer_mail(alex_email, "Where is my order #W1234567?")
    email_api.send(first)
    [reply] = relay.wait_for(1)
    email_api.send(customer_mail("eve@elsewhere.example", "Cancel that order", reply_to=reply))
    relay.wait_for(2)
    conversations = email_api.email_conversations()
    assert len(conversations) == 2
    owners = {email_api.runtime.store.get_conversation(c)["customer_id"] for c in conversations}
    assert owners == {"alex_morgan_1001", None}


def test_duplicate_message_id_starts_no_second_turn(email_api, relay, alex_email):
    mail = customer_mail(alex_email, "Where is my order #W1234567?", message_id="<dup-1@x.example>")
    email_api.send(mail)
    relay.wait_for(1)
    email_api.send(mail)
    [conversation] = email_api.email_conversations()
    assert len(email_api.customer_messages(conversation)) == 1
    # A later message in the thread is answered, so the duplicate's reply would have come first.
    email_api.send(customer_mail(alex_email, "Thanks", reply_to=relay.messages[0]))
    replies = relay.wait_for(2)
    assert replies[1]["In-Reply-To"] != mail["Message-ID"]
    assert len(email_api.customer_messages(conversation)) == 2


@pytest.mark.parametrize(
    ("header", "value", "sender", "reason"),
    [
        ("Auto-Submitted", "auto-replied", "alex@x.example", "auto_submitted"),
        ("Precedence", "bulk", "alex@x.example", "bulk"),
        (None, None, "MAILER-DAEMON@x.example", "bounce"),
        (None, None, SUPPORT, "own_address"),
    ],
)
def test_loops_are_ignored(email_api, relay, header, value, sender, reason):
    mail = customer_mail(sender, "I am out of the office until Monday.")
    if header:
        mail[header] = value
    email_api.send(mail)
    assert email_api.channels.extras["email_intake"].ignored == {reason: 1}
    assert email_api.email_conversations() == []
    assert relay.messages == []


def test_mail_for_another_mailbox_is_refused(email_api):
    import smtplib

    mail = customer_mail("alex@x.example", "hello")
    host, port = email_api.smtp_address
    with smtplib.SMTP(host, port, timeout=30) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.send_message(mail, to_addrs=["someone@else.example"])


def test_handoff_agent_reply_is_emailed_and_return_to_bot_continues_there(
    email_api, relay, alex_email
):
    web_conversation = email_api.new_conversation(email_api.customer())
    first = customer_mail(alex_email, "this is the third time I ask, get me a human")
    email_api.send(first)
    [handoff_reply] = relay.wait_for(1)
    assert handoff_reply["In-Reply-To"] == first["Message-ID"]
    [conversation] = email_api.email_conversations()
    queue = email_api.client.get("/v1/queue", headers=email_api.agent()).json()
    entry = next(e for e in queue if e["conversation_id"] == conversation)
    assert entry["channel"] == "email" and entry["customer_id"] == "alex_morgan_1001"

    dana = email_api.agent("dana")
    assert email_api.client.post(f"/v1/queue/{conversation}/claim", headers=dana).is_success
    transcript = email_api.client.get(f"/v1/queue/{conversation}/transcript", headers=dana).json()
    listed = {c["conversation_id"]: c["channel"] for c in transcript["customer"]["conversations"]}
    assert listed == {conversation: "email", web_conversation: "web"}
    answer = "Hi Alex, I have **refunded** the shipping fee."
    response = email_api.client.post(
        f"/v1/queue/{conversation}/reply", json={"text": answer}, headers=dana
    )
    assert response.status_code == 200, response.text
    agent_mail = relay.wait_for(2)[1]
    plain, markup = _parts(agent_mail)
    assert "I have **refunded** the shipping fee." in plain
    assert "<strong>refunded</strong>" in markup
    assert agent_mail["Auto-Submitted"] is None  # a person wrote it
    assert agent_mail["In-Reply-To"] == first["Message-ID"]

    response = email_api.client.post(
        f"/v1/queue/{conversation}/return",
        json={"text": "Handing you back to our assistant."},
        headers=dana,
    )
    assert response.status_code == 200, response.text
    assert "Handing you back" in _parts(relay.wait_for(3)[2])[0]

    email_api.send(customer_mail(alex_email, "Where is my order #W1234567?", reply_to=agent_mail))
    bot_again = relay.wait_for(4)[3]
    assert bot_again["Auto-Submitted"] == "auto-replied"
    assert email_api.email_conversations() == [conversation]


def test_attachments_are_stored_and_shown_to_agents(email_api, relay, alex_email, email_settings):
    mail = customer_mail(alex_email, "The parcel arrived broken, get me a human.")
    mail.add_attachment(
        b"\x89PNG fake image bytes", maintype="image", subtype="png", filename="../../broken.png"
    )
    email_api.send(mail)
    relay.wait_for(1)
    [conversation] = email_api.email_conversations()
    [event] = email_api.customer_messages(conversation)
    [ref] = event["attachments"]
    assert ref["filename"] == "broken.png" and ref["content_type"] == "image/png"
    assert ref["size"] == 21 and str(email_settings.attachments_dir) not in event["text"]
    stored = [p for p in email_settings.attachments_dir.rglob("*-broken.png") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == b"\x89PNG fake image bytes"

    agent = email_api.client.get(f"/v1/attachments/{ref['id']}", headers=email_api.agent())
    assert agent.status_code == 200 and agent.content == b"\x89PNG fake image bytes"
    assert agent.headers["x-content-type-options"] == "nosniff"
    assert agent.headers["content-disposition"] == 'inline; filename="broken.png"'
    transcript = email_api.client.get(
        f"/v1/queue/{conversation}/transcript", headers=email_api.agent()
    ).json()
    assert transcript["messages"][0]["attachments"] == [ref]
