"""Amazon SNS messages: signature verification and SES receipt notifications.

An SNS HTTP(S) delivery is trusted only after its signature checks out: the signing
certificate must come from an `https://sns.<region>.amazonaws.com/` URL (or a prefix
configured for tests), and the RSA signature over the canonical string of the message's
fields must verify with SHA1 (`SignatureVersion` 1) or SHA256 (`2`).
See https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
SUBSCRIPTION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
MESSAGE_TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


class SnsError(Exception):
    """The message is malformed or its signature does not verify."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def trusted_url(url: str, extra_prefix: str | None) -> bool:
    """Whether `url` is an https SNS endpoint (or starts with the configured test prefix)."""
    if extra_prefix and url.startswith(extra_prefix):
        return True
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(_SNS_HOST.match(parts.hostname or ""))


def string_to_sign(message: dict[str, Any]) -> bytes:
    """The canonical string SNS signs: `Key`, newline, `Value`, newline, per field."""
    fields = NOTIFICATION_FIELDS if message.get("Type") == "Notification" else SUBSCRIPTION_FIELDS
    text = "".join(f"{name}\n{message[name]}\n" for name in fields if message.get(name) is not None)
    return text.encode()


def parse_message(body: bytes) -> dict[str, Any]:
    """The SNS message in a request body; `SnsError` when it is not one."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SnsError("invalid_sns_message", "The body is not JSON.") from None
    if not isinstance(message, dict) or message.get("Type") not in MESSAGE_TYPES:
        raise SnsError("invalid_sns_message", "Not an SNS message.")
    for name in ("MessageId", "TopicArn", "Timestamp", "Signature", "SigningCertURL"):
        if not isinstance(message.get(name), str):
            raise SnsError("invalid_sns_message", f"The SNS message has no {name}.")
    return message


class SnsVerifier:
    """Verifies SNS signatures; signing certificates are fetched once and cached."""

    def __init__(self, extra_prefix: str | None = None, timeout: float = 10.0) -> None:
        self.extra_prefix = extra_prefix
        self.timeout = timeout
        self._certs: dict[str, x509.Certificate] = {}

    async def certificate(self, url: str) -> x509.Certificate:
        """The signing certificate at `url` (a trusted SNS URL only)."""
        if not trusted_url(url, self.extra_prefix):
            raise SnsError("untrusted_certificate", "The signing certificate is not from SNS.")
        cert = self._certs.get(url)
        if cert is None:
            try:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.get(url)
                    response.raise_for_status()
                cert = x509.load_pem_x509_certificate(response.content)
            except (httpx.HTTPError, ValueError):
                raise SnsError(
                    "untrusted_certificate", "The signing certificate could not be loaded."
                ) from None
            self._certs[url] = cert
        return cert

    async def verify(self, message: dict[str, Any]) -> None:
        """Raise `SnsError` unless the message's signature verifies."""
        version = str(message.get("SignatureVersion", ""))
        algorithm: hashes.HashAlgorithm
        if version == "1":
            algorithm = hashes.SHA1()  # SNS SignatureVersion 1 signs with SHA1
        elif version == "2":
            algorithm = hashes.SHA256()
        else:
            raise SnsError("invalid_signature", "Unknown SignatureVersion.")
        cert = await self.certificate(message["SigningCertURL"])
        key = cert.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise SnsError("invalid_signature", "The signing certificate has no RSA key.")
        try:
            signature = base64.b64decode(message["Signature"], validate=True)
            key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
        except (InvalidSignature, ValueError):  # ValueError: not base64
            raise SnsError("invalid_signature", "The SNS signature does not verify.") from None


def sender_verified(notification: dict[str, Any]) -> bool:
    """Whether SES proved the sender: DKIM or SPF passed and DMARC did not fail."""
    receipt = notification.get("receipt") or {}

    def status(name: str) -> str:
        return str((receipt.get(name) or {}).get("status", "")).upper()

    if status("dmarcVerdict") == "FAIL":
        return False
    return "PASS" in (status("dkimVerdict"), status("spfVerdict"))


def rejected_by_scan(notification: dict[str, Any]) -> bool:
    """Whether SES found spam or a virus in the message."""
    receipt = notification.get("receipt") or {}
    return any(
        str((receipt.get(name) or {}).get("status", "")).upper() == "FAIL"
        for name in ("spamVerdict", "virusVerdict")
    )
