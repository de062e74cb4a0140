"""Outbound WhatsApp messages through the Graph API's messages endpoint.

``POST {base}/{version}/{phone-number-id}/messages`` with ``Authorization: Bearer
<token>`` and a JSON body: free-form ``text``, ``interactive`` reply buttons (both only
inside the 24-hour customer-service window) or an approved ``template`` (any time).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_API_BASE = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"


class GraphApiError(RuntimeError):
    """The Graph API refused a message (its error code and message are kept)."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"Graph API {status} (code {code}): {message}")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class ReplyButton:
    """One interactive reply button: the id it answers with and its title (≤ 20 chars)."""

    id: str
    title: str


class GraphApiClient:
    """Sends WhatsApp messages from one business phone number."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        token: str,
        phone_number_id: str,
        api_base: str = DEFAULT_API_BASE,
        api_version: str = DEFAULT_API_VERSION,
    ) -> None:
        self._http = http
        self._token = token
        self._url = f"{api_base.rstrip('/')}/{api_version}/{phone_number_id}/messages"

    async def _send(self, to: str, kind: str, content: dict[str, Any]) -> str:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind,
            kind: content,
        }
        response = await self._http.post(
            self._url, json=body, headers={"Authorization": f"Bearer {self._token}"}
        )
        data: dict[str, Any] = {}
        with contextlib.suppress(ValueError):
            data = response.json()
        if response.status_code >= 400 or not data.get("messages"):
            error = data.get("error") or {}
            raise GraphApiError(
                response.status_code, error.get("code"), error.get("message") or response.text
            )
        return str(data["messages"][0]["id"])

    async def send_text(self, to: str, body: str) -> str:
        """Send a text message; return its WhatsApp message id."""
        return await self._send(to, "text", {"preview_url": False, "body": body})

    async def send_buttons(self, to: str, body: str, buttons: list[ReplyButton]) -> str:
        """Send a message with up to three reply buttons; return its message id."""
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": button.id, "title": button.title}}
                for button in buttons[:3]
            ]
        }
        return await self._send(
            to, "interactive", {"type": "button", "body": {"text": body}, "action": action}
        )

    async def send_template(
        self, to: str, name: str, language: str, parameters: list[str] | None = None
    ) -> str:
        """Send an approved template (allowed outside the service window); return its id."""
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if parameters:
            template["components"] = [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": value} for value in parameters],
                }
            ]
        return await self._send(to, "template", template)
