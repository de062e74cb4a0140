"""Every error leaves the server as an RFC 9457 problem document, never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from conversations import instruments

logger = logging.getLogger("tandem.server")

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    detail: str,
    code: str | None = None,
    request: Request | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """Build a problem+json response (counted in `tandem_errors_total` by its code)."""
    instruments.ERRORS.labels(code or str(status)).inc()
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if request is not None:
        body["request_id"] = getattr(request.state, "request_id", None)
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


class ApiError(HTTPException):
    """An HTTP error with a machine-readable `code` and a sentence for humans."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(
            status_code=status, detail={"code": code, "detail": detail}, headers=headers
        )


def _from_http_exception(request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail: Any = error.detail
    code = None
    if isinstance(detail, dict):
        code = detail.get("code")
        detail = detail.get("detail", "")
    return problem(
        error.status_code,
        str(detail or HTTPStatus(error.status_code).phrase),
        code,
        request,
        headers=getattr(error, "headers", None),
    )


def _from_validation(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": [str(part) for part in item.get("loc", ())], "msg": item.get("msg", "")}
        for item in error.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"])
    return problem(422, f"{where}: {first['msg']}", "invalid_request", request, errors=errors)


def _from_unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "An unexpected error occurred; it has been logged.", "internal", request)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the problem+json handlers on `app`."""
    app.add_exception_handler(StarletteHTTPException, _from_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _from_validation)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _from_unexpected)
