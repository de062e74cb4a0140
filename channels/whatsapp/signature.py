"""Meta's webhook checks: the `X-Hub-Signature-256` HMAC and the subscription handshake.

Meta signs every webhook POST with HMAC-SHA256 of the raw request body, keyed with the
app secret, and sends it as ``X-Hub-Signature-256: sha256=<hex>``. When a webhook URL is
registered, Meta first calls it with ``GET ?hub.mode=subscribe&hub.verify_token=...&
hub.challenge=...`` and expects the challenge back when the token matches.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Hub-Signature-256"
"""The header carrying Meta's body signature."""

_PREFIX = "sha256="


def sign(app_secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is Meta's signature of the raw `body` (constant-time compare)."""
    if not app_secret or not header or not header.startswith(_PREFIX):
        return False
    return hmac.compare_digest(sign(app_secret, body), header.strip().lower())


def subscription_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo for a valid subscription request, else None."""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    token = params.get("hub.verify_token") or ""
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return params.get("hub.challenge")
