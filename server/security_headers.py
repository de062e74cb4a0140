"""Security headers: `nosniff` and a referrer policy on every response, CSP on the app pages.

The built web apps load only same-origin scripts and stylesheets (Vite emits no inline
script), so the pages' Content-Security-Policy allows `'self'` and nothing inline. The
chat may be framed by the sites that embed the widget (`embed_origins`, `*` for any);
every other page refuses to be framed (`frame-ancestors 'none'` and `X-Frame-Options`).
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from config.settings import Settings

COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
"""Headers every HTTP response carries (API and pages)."""


def style_hash(css: str) -> str:
    """The CSP source (`'sha256-...'`) allowing one inline `<style>` element's text."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page_headers(settings: Settings, app: str, inline_style: str | None = None) -> dict[str, str]:
    """The CSP and framing headers of an app page (`chat`, `agent`, `dashboard`, `help`).

    `inline_style` is the text of a page's one inline `<style>` element, allowed by hash.
    """
    connect = ["'self'"]
    if settings.auth_hosted_ui_domain:  # the hosted login's token endpoint is fetched
        domain = settings.auth_hosted_ui_domain.rstrip("/")
        connect.append(domain if domain.startswith("https://") else f"https://{domain}")
    styles = ["'self'"] + ([style_hash(inline_style)] if inline_style is not None else [])
    embeddable = app == "chat"
    ancestors = " ".join(settings.embed_origins) if embeddable else "'none'"
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {' '.join(styles)}",
            # blob: attachment thumbnails, fetched with the bearer token (a URL cannot carry it)
            "img-src 'self' data: blob:",
            "font-src 'self'",
            f"connect-src {' '.join(connect)}",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )
    headers = {"Content-Security-Policy": policy}
    if not embeddable:
        headers["X-Frame-Options"] = "DENY"
    return headers


class SecurityHeadersMiddleware:
    """Add `COMMON_HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in COMMON_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
