"""Loopback stand-ins for Meta's Graph API and Twilio's REST API, and webhook signers.

The fake APIs accept requests exactly as the real ones do (paths, auth, JSON or form
bodies, field checks) and answer in the real response shapes; every accepted request is
recorded. The signers build webhook requests signed as Meta and Twilio sign them,
computed here independently of the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# -- Meta's Graph API ------------------------------------------------------------------


@dataclass
class GraphApi:
    """A fake Graph API messages endpoint for one business phone number."""

    token: str
    phone_number_id: str
    version: str = "v21.0"
    sent: list[dict[str, Any]] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/{version}/{number}/messages", self._messages, methods=["POST"])]
        )

    @staticmethod
    def _error(status: int, code: int, message: str) -> JSONResponse:
        body = {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": uuid.uuid4().hex[:11],
            }
        }
        return JSONResponse(body, status_code=status)

    async def _messages(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self._error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if request.path_params["number"] != self.phone_number_id:
            return self._error(400, 100, "Unsupported post request.")
        if request.path_params["version"] != self.version:
            return self._error(400, 2500, "Unknown path components")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return self._error(400, 100, "Invalid parameter")
        kind = body.get("type", "text")
        if body.get("messaging_product") != "whatsapp" or not body.get("to") or kind not in body:
            return self._error(400, 100, "Invalid parameter")
        if kind == "text" and len(body["text"].get("body", "")) > 4096:
            return self._error(400, 100, "Param text['body'] must be at most 4096 characters long.")
        if kind == "interactive":
            buttons = body["interactive"]["action"]["buttons"]
            if not 1 <= len(buttons) <= 3 or any(len(b["reply"]["title"]) > 20 for b in buttons):
                return self._error(400, 131009, "Parameter value is not valid")
        with self._changed:
            self.sent.append(body)
            self._changed.notify_all()
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}],
            }
        )

    def wait_for(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        """Block until `count` messages were sent (or fail after `timeout`)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.sent) >= count, timeout):
                raise AssertionError(f"{len(self.sent)} WhatsApp message(s) sent, wanted {count}")
            return list(self.sent)


def whatsapp_delivery(
    phone_number_id: str,
    messages: list[dict[str, Any]],
    wa_id: str,
    statuses: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A webhook delivery as Meta posts it."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550009999", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Alex"}, "wa_id": wa_id}]
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def text_message(wa_id: str, text: str, message_id: str | None = None) -> dict[str, Any]:
    """A customer's text message in a delivery."""
    return {
        "from": wa_id,
        "id": message_id or f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }


def button_reply(wa_id: str, button_id: str, title: str, context_id: str) -> dict[str, Any]:
    """A tap on an interactive reply button in a delivery."""
    return {
        "context": {"from": "15550009999", "id": context_id},
        "from": wa_id,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    }


def meta_signature(app_secret: str, body: bytes) -> str:
    """`X-Hub-Signature-256` as Meta computes it."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


# -- Twilio's REST API -----------------------------------------------------------------


@dataclass
class TwilioApi:
    """A fake Twilio Messages API for one account."""

    account_sid: str
    auth_token: str
    sent: list[dict[str, str]] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def app(self) -> Starlette:
        path = "/2010-04-01/Accounts/{sid}/Messages.json"
        return Starlette(routes=[Route(path, self._create, methods=["POST"])])

    @staticmethod
    def _error(status: int, code: int, message: str) -> JSONResponse:
        body = {
            "code": code,
            "message": message,
            "status": status,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
        }
        return JSONResponse(body, status_code=status)

    async def _create(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return self._error(401, 20003, "Authenticate")
        if request.path_params["sid"] != self.account_sid:
            return self._error(404, 20404, "The requested resource was not found")
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return self._error(400, 20001, "Unsupported content type")
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        if not form.get("To"):
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not form.get("From"):
            return self._error(400, 21603, "A 'From' phone number is required.")
        if len(form.get("Body", "")) > 1600:
            return self._error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        sid = "SM" + uuid.uuid4().hex
        with self._changed:
            self.sent.append(form)
            self._changed.notify_all()
        return JSONResponse(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form["To"],
                "from": form["From"],
                "body": form.get("Body", ""),
                "status": "queued",
                "direction": "outbound-api",
                "num_segments": "1",
                "num_media": "0",
                "api_version": "2010-04-01",
                "price": None,
                "error_code": None,
                "date_created": "Mon, 07 Dec 2026 04:00:00 +0000",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status_code=201,
        )

    def wait_for(self, count: int, timeout: float = 30) -> list[dict[str, str]]:
        """Block until `count` messages were sent (or fail after `timeout`)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.sent) >= count, timeout):
                raise AssertionError(f"{len(self.sent)} SMS sent, wanted {count}")
            return list(self.sent)


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """`X-Twilio-Signature` as Twilio computes it: HMAC-SHA1 of URL + sorted name/values."""
    data = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def sms_webhook_form(
    account_sid: str, sender: str, to: str, body: str, message_sid: str | None = None
) -> dict[str, str]:
    """The fields Twilio posts for an incoming SMS."""
    sid = message_sid or "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "94107",
        "SmsSid": sid,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "SAN FRANCISCO",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
