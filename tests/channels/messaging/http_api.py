"""API Gateway HTTP API (payload format 2.0) events, shaped as API Gateway sends them."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

API_ID = "a1b2c3d4e5"
DOMAIN = f"{API_ID}.execute-api.eu-west-1.amazonaws.com"


def http_api_event(
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    query: str = "",
    binary: bool = False,
) -> dict[str, Any]:
    """A `$default`-stage proxy event; `binary` bodies arrive base64-encoded (form posts do)."""
    header_values = {
        "host": DOMAIN,
        "user-agent": "TwilioProxy/1.1" if binary else "facebookexternalua",
        "x-amzn-trace-id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        "content-length": str(len(body)),
        **{name.lower(): value for name, value in (headers or {}).items()},
    }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": header_values,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": API_ID,
            "domainName": DOMAIN,
            "domainPrefix": API_ID,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": header_values["user-agent"],
            },
            "requestId": uuid.uuid4().hex[:16] + "=",
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": binary,
    }
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in parse_qs(query).items()}
    if body:
        event["body"] = base64.b64encode(body).decode() if binary else body.decode()
    return event
