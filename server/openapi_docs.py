"""OpenAPI documentation of error responses: every 4xx/5xx is `application/problem+json`."""

from __future__ import annotations

from typing import Any

from server.schemas import Problem

_DESCRIPTIONS = {
    400: "Bad request.",
    401: "Missing or invalid token.",
    403: "Not allowed for this caller.",
    404: "Not found (or not yours).",
    409: "Conflict with the conversation's or the queue entry's current state.",
    413: "Request body too large.",
    422: "Invalid request.",
    429: "Rate limited; see Retry-After.",
    503: "A dependency is not available.",
}
_SCHEMA = Problem.model_json_schema()

AUTHENTICATED = (401, 403, 413, 422, 429, 503)
"""Errors any authenticated endpoint can return."""


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting problem+json bodies for `statuses`."""
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Error."),
            "content": {"application/problem+json": {"schema": _SCHEMA}},
        }
        for status in statuses
    }
