"""The browser apps (customer chat, agent console, manager dashboard) built from `web/`.

`npm run build` in `web/` writes them to `settings.web_dist_dir`; this router serves that
folder: hashed assets, the service worker and manifest, the embeddable `widget.js`, and
`index.html` for every app route. When the folder is missing it answers every app route
with a page (or a problem for `Accept: application/json`) saying how to build it. Pages
carry the Content-Security-Policy and framing headers of `server.security_headers`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from server.problems import ApiError
from server.security_headers import page_headers

router = APIRouter(include_in_schema=False)

APP_ROUTES = ("chat", "agent", "dashboard", "help")
"""First path segments that the single-page app renders itself."""

ROOT_FILES = ("widget.js", "sw.js", "manifest.webmanifest", "icon.svg", "favicon.svg")
"""Files at the top of the build that keep their names (no content hash)."""

BUILD_HINT = (
    "The web apps are not built. Install Node.js 20+ and run `make web` "
    "(or `cd web && npm ci && npm run build`), then reload."
)

MISSING_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;
padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}
"""

MISSING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem: web apps not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{style}</style></head><body><main><h1>The web apps are not built yet</h1>
<p>Tandem's API is running (see <a href="/docs">/docs</a>), but the browser apps in
<code>web/</code> have not been built into <code>{dist}</code>.</p>
<p>Install Node.js 20 or newer and run <code>make web</code>, or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p>
</main></body></html>"""


def _dist(request: Request) -> Path:
    dist: Path = request.app.state.runtime.settings.web_dist_dir
    return dist


def _not_built(request: Request, dist: Path, app: str = "chat") -> Response:
    if "text/html" not in request.headers.get("accept", "text/html"):
        raise ApiError(503, "web_not_built", BUILD_HINT)
    settings = request.app.state.runtime.settings
    return HTMLResponse(
        MISSING_PAGE.format(dist=dist, style=MISSING_STYLE),
        status_code=503,
        headers=page_headers(settings, app, inline_style=MISSING_STYLE),
    )


def _index(request: Request, app: str) -> Response:
    dist = _dist(request)
    index = dist / "index.html"
    if not index.is_file():
        return _not_built(request, dist, app)
    headers = {"Cache-Control": "no-cache", **page_headers(request.app.state.runtime.settings, app)}
    return FileResponse(index, headers=headers)


@router.get("/")
async def root() -> RedirectResponse:
    """The customer chat is the front door."""
    return RedirectResponse("/chat", status_code=307)


@router.get("/assets/{name:path}")
async def asset(name: str, request: Request) -> Response:
    """A content-hashed build asset (cached for a year)."""
    dist = _dist(request)
    assets = (dist / "assets").resolve()
    path = (assets / name).resolve()
    if not path.is_relative_to(assets) or not path.is_file():
        if not (dist / "index.html").is_file():
            return _not_built(request, dist)
        raise ApiError(404, "asset_not_found", f"No asset {name}.")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable"})


def _root_file(name: str) -> None:
    async def serve(request: Request) -> Response:
        dist = _dist(request)
        path = dist / name
        if not path.is_file():
            return _not_built(request, dist)
        headers = {"Cache-Control": "no-cache"}
        if name == "sw.js":
            headers["Service-Worker-Allowed"] = "/"
        return FileResponse(path, headers=headers)

    serve.__name__ = f"serve_{name.replace('.', '_')}"
    serve.__doc__ = f"The build's `{name}`."
    router.add_api_route(f"/{name}", serve, methods=["GET"])


for _name in ROOT_FILES:
    _root_file(_name)


@router.get("/{app}")
async def app_page(app: str, request: Request) -> Response:
    """An app's page (`/chat`, `/agent`, `/dashboard`); the app routes itself."""
    if app not in APP_ROUTES:
        raise ApiError(404, "not_found", f"Nothing at /{app}.")
    return _index(request, app)


@router.get("/{app}/{rest:path}")
async def app_subpage(app: str, rest: str, request: Request) -> Response:
    """A deeper app route (`/agent/callback`, `/help/refund-timing`)."""
    if app not in APP_ROUTES:
        raise ApiError(404, "not_found", f"Nothing at /{app}/{rest}.")
    return _index(request, app)
