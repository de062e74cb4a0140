"""API Gateway HTTP API (payload format 2.0) proxy events in, proxy responses out."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

PROBLEM_JSON = "application/problem+json"


class RequestError(Exception):
    """A request the webhook refuses: an HTTP status, a problem code and a sentence."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class HttpRequest:
    """The parts of an HTTP API event a webhook reads."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Header names lower-cased (API Gateway sends them so)."""
    body: bytes
    url: str
    """The URL the provider called (`https://{domainName}{rawPath}[?{rawQueryString}]`)."""

    def header(self, name: str) -> str | None:
        """A header's value, whatever the case of `name`."""
        return self.headers.get(name.lower())


def parse_event(event: dict[str, Any]) -> HttpRequest:
    """The request in an API Gateway HTTP API (2.0) event; `RequestError` when it is not one."""
    context = event.get("requestContext")
    if event.get("version") != "2.0" or not isinstance(context, dict):
        raise RequestError(400, "invalid_event", "Not an API Gateway HTTP API (2.0) event.")
    method = str((context.get("http") or {}).get("method", "")).upper()
    path = str(event.get("rawPath") or "/")
    raw_query = str(event.get("rawQueryString") or "")
    body = event.get("body") or ""
    try:
        data = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body
    except ValueError:
        raise RequestError(400, "invalid_event", "The body is not base64.") from None
    url = f"https://{context.get('domainName', '')}{path}" + (f"?{raw_query}" if raw_query else "")
    return HttpRequest(
        method=method,
        path=path,
        query=dict(parse_qsl(raw_query, keep_blank_values=True)),
        headers={str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()},
        body=data if isinstance(data, bytes) else str(data).encode(),
        url=url,
    )


def response(status: int, body: str, content_type: str) -> dict[str, Any]:
    """A proxy response."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_type},
        "body": body,
        "isBase64Encoded": False,
    }


def json_response(data: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """A JSON proxy response."""
    return response(status, json.dumps(data), "application/json")


def problem_response(error: RequestError) -> dict[str, Any]:
    """The refusal as `application/problem+json`, as the server answers it."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(error.status).phrase,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
    }
    return response(error.status, json.dumps(body), PROBLEM_JSON)
