"""Security headers: nosniff and referrer policy everywhere, CSP and framing on the pages."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from config.settings import PROJECT_ROOT, Settings
from graphs.services import Services
from server.app import create_app


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {words[0]: words[1:] for words in parts}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text((PROJECT_ROOT / "web" / "index.html").read_text())
    (dist / "widget.js").write_text("/* widget */")
    return dist


def _client(settings: Settings, services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services)) as client:
        yield client


@pytest.fixture
def web(server_settings: Settings, services: Services, built: Path) -> Iterator[TestClient]:
    server_settings.web_dist_dir = built
    yield from _client(server_settings, services)


@pytest.mark.parametrize("path", ["/healthz", "/v1/conversations", "/v1/auth/config"])
def test_api_responses_are_nosniff_with_a_referrer_policy(web, path):
    response = web.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/agent", "/dashboard", "/help/refunds", "/agent/callback"])
def test_staff_and_help_pages_refuse_framing(web, path):
    response = web.get(path)
    assert response.status_code == 200
    policy = _directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_allow_only_same_origin_scripts_and_styles(web):
    policy = _directives(web.get("/agent").headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert all("'unsafe-inline'" not in sources for sources in policy.values())


def test_the_chat_may_be_framed_by_any_site_by_default(web):
    response = web.get("/chat?embed=1")
    assert _directives(response.headers["content-security-policy"])["frame-ancestors"] == ["*"]
    assert "x-frame-options" not in response.headers


def test_the_chat_may_be_framed_only_by_the_configured_sites(server_settings, services, built):
    server_settings.web_dist_dir = built
    server_settings.embed_origins = ["https://shop.example", "https://*.example.org"]
    for client in _client(server_settings, services):
        policy = _directives(client.get("/chat").headers["content-security-policy"])
        agent = _directives(client.get("/agent").headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["https://shop.example", "https://*.example.org"]
    assert agent["frame-ancestors"] == ["'none'"]


def test_the_hosted_login_token_endpoint_may_be_fetched(server_settings, services, built):
    server_settings.web_dist_dir = built
    server_settings.auth_hosted_ui_domain = "tandem.auth.us-east-1.amazoncognito.com"
    for client in _client(server_settings, services):
        policy = _directives(client.get("/agent").headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'", "https://tandem.auth.us-east-1.amazoncognito.com"]


@pytest.mark.parametrize("bad", ["https://a.example; script-src *", "javascript:", "", "a b"])
def test_embed_origins_that_would_break_the_policy_are_refused(bad):
    with pytest.raises(ValidationError):
        Settings(embed_origins=[bad])


class _Inline(HTMLParser):
    """Collects inline scripts, inline styles and style attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self._open: str | None = None
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if "style" in names or any(name.startswith("on") for name in names):
            self.inline.append(f"<{tag} {names}>")
        if tag == "script" and not names.get("src"):
            self._open = "script"
        if tag == "style":
            self._open = "style"

    def handle_data(self, data: str) -> None:
        if self._open == "script" and data.strip():
            self.inline.append(data)
        if self._open == "style":
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def test_the_web_apps_page_has_nothing_inline_the_policy_would_block():
    """The policy allows no inline script or style: the apps' page must not need any."""
    for page in [PROJECT_ROOT / "web" / "index.html", PROJECT_ROOT / "web" / "dist" / "index.html"]:
        if page.is_file():
            parser = _Inline()
            parser.feed(page.read_text())
            assert parser.inline == [] and parser.styles == [], page


def test_the_build_hint_page_style_is_allowed_by_hash(server_settings, services, tmp_path):
    server_settings.web_dist_dir = tmp_path / "missing"
    for client in _client(server_settings, services):
        response = client.get("/dashboard", headers={"Accept": "text/html"})
    assert response.status_code == 503
    parser = _Inline()
    parser.feed(response.text)
    digest = base64.b64encode(hashlib.sha256(parser.styles[0].encode()).digest()).decode()
    policy = _directives(response.headers["content-security-policy"])
    assert policy["style-src"] == ["'self'", f"'sha256-{digest}'"]
    assert re.fullmatch(r"'none'", policy["frame-ancestors"][0])
