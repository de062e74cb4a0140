"""Outbound SMS through Twilio's Messages API with the official client.

``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` (HTTP Basic auth with the
account SID and auth token; form fields `To`, `From`, `Body`). The base URL is
configurable so the same client talks to a regional edge or a local test server.
"""

from __future__ import annotations

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

DEFAULT_API_BASE = "https://api.twilio.com"


class TwilioSender:
    """Sends SMS from one Twilio number."""

    def __init__(
        self, account_sid: str, auth_token: str, from_number: str, api_base: str = DEFAULT_API_BASE
    ) -> None:
        self._http = AsyncTwilioHttpClient()
        self._client = Client(account_sid, auth_token, http_client=self._http)
        self._client.api.base_url = api_base.rstrip("/")
        self._from = from_number

    async def send(self, to: str, body: str) -> str:
        """Send one SMS; return its message SID."""
        message = await self._client.messages.create_async(to=to, from_=self._from, body=body)
        return str(message.sid)

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._http.close()
