"""The server serves the built web apps, and says clearly how to build them when missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from graphs.services import Services
from server.app import create_app


def _client(settings: Settings, services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services)) as client:
        yield client


@pytest.fixture
def built(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Tandem</title><div id=root></div>")
    (dist / "assets" / "index-abc123.js").write_text("console.log('app')")
    (dist / "widget.js").write_text("/* widget */")
    (dist / "sw.js").write_text("/* sw */")
    (tmp_path / "secret.txt").write_text("not for the web")
    return dist


@pytest.fixture
def web(server_settings: Settings, services: Services, built: Path) -> Iterator[TestClient]:
    server_settings.web_dist_dir = built
    yield from _client(server_settings, services)


@pytest.fixture
def unbuilt(server_settings: Settings, services: Services, tmp_path: Path) -> Iterator[TestClient]:
    server_settings.web_dist_dir = tmp_path / "nowhere"
    yield from _client(server_settings, services)


@pytest.mark.parametrize("path", ["/chat", "/agent", "/dashboard", "/agent/callback", "/help/x"])
def test_every_app_route_serves_the_single_page_app(web, path):
    response = web.get(path)
    assert response.status_code == 200
    assert "<div id=root>" in response.text
    assert response.headers["cache-control"] == "no-cache"


def test_root_sends_customers_to_the_chat(web):
    response = web.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/chat"


def test_assets_are_cached_and_cannot_escape_the_build(web):
    asset = web.get("/assets/index-abc123.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    assert web.get("/assets/missing.js").status_code == 404
    escape = web.get("/assets/..%2F..%2Fsecret.txt")
    assert escape.status_code == 404 and "not for the web" not in escape.text


def test_widget_and_service_worker_are_served_at_the_root(web):
    assert web.get("/widget.js").text == "/* widget */"
    worker = web.get("/sw.js")
    assert worker.headers["service-worker-allowed"] == "/"


def test_unknown_pages_and_api_paths_are_not_swallowed_by_the_app(web):
    assert web.get("/nothing-here").status_code == 404
    api = web.get("/v1/conversations/nope", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.headers["content-type"] == "application/problem+json"
    assert web.get("/healthz").json() == {"status": "ok"}


def test_missing_build_explains_how_to_build_it(unbuilt):
    page = unbuilt.get("/chat", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "npm ci" in page.text and "make web" in page.text
    problem = unbuilt.get("/agent", headers={"Accept": "application/json"})
    assert problem.status_code == 503 and problem.json()["code"] == "web_not_built"
    assert unbuilt.get("/healthz").status_code == 200
