"""End-to-end fixtures: the real server on loopback serving the built web apps, and Chromium.

The server is `uvicorn` running `server.app:create_app` in a subprocess on a fresh data
folder (embedded defaults, deterministic drafter); the browser is Debian's `chromium`
driven by Playwright with a fresh profile per context. Without `/usr/bin/chromium`, the
Playwright package or a built `web/dist`, the tests skip, or fail when CI is set.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import free_port, wait_until_ready

REPO = Path(__file__).resolve().parents[2]
WEB_DIST = REPO / "web" / "dist"
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def missing(reason: str) -> None:
    """Skip, or fail loudly in CI where every end-to-end prerequisite must be present."""
    if os.environ.get("CI"):
        pytest.fail(f"end-to-end prerequisite missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def e2e_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the e2e server's log and data folder (`data/`)."""
    return tmp_path_factory.mktemp("e2e-data")


def local_secret_of(data: Path) -> str:
    """The local secret of the server whose data folder is `data`, as `tandem auth secret`
    prints it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TANDEM_")}
    printed = subprocess.run(
        [str(Path(sys.executable).with_name("tandem")), "auth", "secret"],
        env={**env, "TANDEM_DATA_DIR": str(data), "TANDEM_AUTH_MODE": "local"},
        capture_output=True,
        text=True,
        check=True,
    )
    return printed.stdout.strip()


@pytest.fixture(scope="session")
def local_secret(web_server: str, e2e_data: Path) -> str:
    """The local secret an admin sign-in asks for, as `tandem auth secret` prints it."""
    return local_secret_of(e2e_data / "data")


@contextlib.contextmanager
def serve_web(data: Path, **settings: str) -> Iterator[str]:
    """Run a Tandem server serving the built web apps on a free port; yield its base URL.

    `settings` are extra `TANDEM_` (or AWS) environment variables, e.g. another backend.
    """
    if not (WEB_DIST / "index.html").is_file():
        missing("web/dist is not built (run `cd web && npm ci && npm run build`)")
    port = free_port()
    log = data / "server.log"
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TANDEM_", "AWS_"))
    }
    env.update(
        TANDEM_DATA_DIR=str(data / "data"),
        TANDEM_MODEL="",
        TANDEM_AUTH_MODE="local",
        TANDEM_RATE_LIMIT_PER_MINUTE="1000",
        # The browser tests sign in from one address far faster than people do; the
        # default ten a minute is reached on a fast machine and the last test is refused.
        TANDEM_LOCAL_TOKEN_PER_MINUTE="1000",
        TANDEM_WEB_DIST_DIR=str(WEB_DIST),
        **settings,
    )
    with log.open("wb") as output:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "server.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # The first start seeds the demo stores and trains the intent classifier (slow when busy).
        wait_until_ready(f"{base}/readyz", proc, log, "tandem server", timeout=600)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def web_server(e2e_data: Path) -> Iterator[str]:
    """The base URL of a real Tandem server serving the built web apps."""
    with serve_web(e2e_data) as base:
        yield base


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(chromium: Any, web_server: str) -> Iterator[Any]:
    """Open fresh browser contexts (a new profile each: own storage, cookies, cache)."""
    contexts: list[Any] = []

    def open_context(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 860})
        context = chromium.new_context(base_url=web_server, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Folder for screenshots kept as test artefacts (ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ignore = SCREENSHOTS.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return SCREENSHOTS


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser build, from web/node_modules."""
    if not AXE.is_file():
        missing("web/node_modules/axe-core is missing (run `cd web && npm ci`)")
    return AXE.read_text()


def serious_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; return its serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated through the browser's debugging protocol: the page's CSP allows no
        # inline script, so a <script> tag holding axe would be blocked
        page.evaluate(f"() => {{ {axe_source}\n }}")
    result = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in result if v.get("impact") in ("serious", "critical")]


def assert_accessible(page: Any, axe_source: str, screen: str) -> None:
    """Fail with a readable list when axe finds serious or critical violations."""
    found = serious_violations(page, axe_source)
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"][:5]],
        }
        for v in found
    ]
    assert not found, f"{screen}: accessibility violations:\n{json.dumps(summary, indent=2)}"


def pytest_configure(config: pytest.Config) -> None:
    """Register the `e2e` marker (browser tests against the real server)."""
    config.addinivalue_line("markers", "e2e: drives the built web apps in headless Chromium")
