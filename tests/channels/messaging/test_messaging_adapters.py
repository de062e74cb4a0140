"""The WhatsApp and SMS adapters against the loopback Graph and Twilio APIs."""

from __future__ import annotations

import time

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from channels.base import OutboundReply, Thread
from channels.sms.adapter import SmsAdapter
from channels.sms.twilio_api import TwilioSender
from channels.whatsapp.adapter import LAST_INBOUND, Buttons, Template, Text, WhatsAppAdapter
from channels.whatsapp.graph_api import GraphApiClient, GraphApiError
from conversations.opt_outs import SqliteOptOuts
from tests.channels.messaging.loopback_server import serve
from tests.channels.messaging.providers import GraphApi, TwilioApi

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

TOKEN, NUMBER_ID = "graph-token", "1234567890"
SID, AUTH = "AC" + "1" * 32, "auth-token"
NOW = 1_800_000_000.0


def thread(hours_since_customer_wrote: float, address: str = "+14155550142") -> Thread:
    state = {LAST_INBOUND: NOW - hours_since_customer_wrote * 3600}
    return Thread("c1", "whatsapp", address, state)


def adapter(client=None, template: str | None = "support_update") -> WhatsAppAdapter:
    return WhatsAppAdapter(client, template, "en_US", clock=lambda: NOW)  # type: ignore[arg-type]


def test_inside_the_window_replies_are_text_and_a_confirmation_gets_buttons():
    reply = OutboundReply("Shall I cancel **#W1**?", choices=("yes", "no"))
    [payload] = adapter().render(reply, thread(hours_since_customer_wrote=23.9))
    assert isinstance(payload, Buttons)
    assert payload.body == "Shall I cancel *#W1*?"
    assert [(b.id, b.title) for b in payload.buttons] == [("yes", "Yes"), ("no", "No")]
    plain = adapter().render(OutboundReply("Done."), thread(1))
    assert plain == [Text("Done.")]


def test_a_long_confirmation_keeps_its_text_and_asks_with_buttons_last():
    details = ("Detail. " * 400).strip()  # 3,199 characters: over a button message's 1,024
    reply = OutboundReply(f"{details}\n\n{details} Shall I go ahead?", choices=("yes", "no"))
    payloads = adapter().render(reply, thread(1))
    assert [type(p) for p in payloads] == [Text, Text, Buttons]
    assert payloads[1].body.endswith("Shall I go ahead?")  # type: ignore[union-attr]
    assert payloads[2].body == "Please confirm:"  # type: ignore[union-attr]


def test_outside_the_window_only_the_template_is_sent_or_nothing():
    reply = OutboundReply("Line one.\n\nLine two.", author="agent", agent="Dana")
    [payload] = adapter().render(reply, thread(hours_since_customer_wrote=24.1))
    assert payload == Template("support_update", "en_US", ("*Dana:* Line one. Line two.",))
    assert adapter(template=None).render(reply, thread(24.1)) == []


async def test_payloads_reach_the_graph_api_in_its_format():
    graph = GraphApi(token=TOKEN, phone_number_id=NUMBER_ID)
    with serve(graph.app()) as url:
        async with httpx.AsyncClient() as http:
            client = GraphApiClient(http, TOKEN, NUMBER_ID, url)
            wa = adapter(client)
            t = thread(1)
            for payload in [
                Text("hello"),
                Buttons(
                    "ok?", adapter().render(OutboundReply("?", choices=("yes", "no")), t)[0].buttons
                ),  # type: ignore[union-attr]
                Template("support_update", "en_US", ("a reply",)),
            ]:
                assert (await wa.send(t, payload)).startswith("wamid.")
            refused = GraphApiClient(http, "expired-token", NUMBER_ID, url)
            with pytest.raises(GraphApiError) as error:
                await refused.send_text("14155550142", "hello")
    assert error.value.code == 190 and error.value.status == 401
    kinds = [(m["to"], m["type"]) for m in graph.sent]
    assert kinds == [("14155550142", "text"), ("14155550142", "interactive"),
                     ("14155550142", "template")]  # fmt: skip
    template = graph.sent[2]["template"]
    assert template["language"] == {"code": "en_US"}
    assert template["components"][0]["parameters"] == [{"type": "text", "text": "a reply"}]


async def test_sms_goes_through_the_twilio_client_and_never_to_an_opted_out_number(tmp_path):
    twilio = TwilioApi(account_sid=SID, auth_token=AUTH)
    opt_outs = SqliteOptOuts(tmp_path / "sms.sqlite")
    with serve(twilio.app()) as url:
        sender = TwilioSender(SID, AUTH, "+15005550006", url)
        sms = SmsAdapter(sender, opt_outs, max_segments=4)
        alex = Thread("c1", "sms", "+14155550142")
        [body] = sms.render(OutboundReply("Cancel **#W1**?", choices=("yes", "no")), alex)
        assert body == "Cancel #W1?\n\nReply YES or NO."
        assert (await sms.send(alex, body)).startswith("SM")
        opt_outs.opt_out("+1 415 555 0142")
        assert await sms.send(alex, "anything") is None
        opt_outs.opt_in("+14155550142")
        assert await sms.send(alex, "back") is not None
        await sender.close()
        wrong = TwilioSender(SID, "wrong-token", "+15005550006", url)
        with pytest.raises(TwilioRestException) as error:
            await wrong.send("+14155550142", "hello")
        await wrong.close()
    assert error.value.status == 401 and error.value.code == 20003
    assert [m["Body"] for m in twilio.sent] == [body, "back"]
    opt_outs.close()


def test_the_clock_default_is_wall_time():
    wa = WhatsAppAdapter(None)  # type: ignore[arg-type]
    assert wa.in_service_window(Thread("c", "whatsapp", "+1", {LAST_INBOUND: time.time()}))
    assert not wa.in_service_window(Thread("c", "whatsapp", "+1", {}))
