"""Verification through a JWKS URL served over loopback HTTP: caching, rotation, outages."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from server.auth import AuthError, JwtVerifier, LocalIssuer, verifier_from_settings
from tests.loopback import free_port

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

POOL = "us-east-1_Loopback1"
JWKS_PATH = f"/{POOL}/.well-known/jwks.json"
CLIENT = "tandem-web"


class JwksServer:
    """A stdlib HTTP server publishing a mutable JWK Set on 127.0.0.1."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.status = 200
        self.body: bytes | None = None
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits += 1
                if self.path != JWKS_PATH:
                    self.send_error(404)
                    return
                body = owner.body if owner.body is not None else json.dumps(owner.jwks).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.issuer = f"http://127.0.0.1:{self.port}/{POOL}"
        self.url = f"{self.issuer}/.well-known/jwks.json"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture()
def server() -> Iterator[JwksServer]:
    running = JwksServer()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("jwks-keys")
    return folder / "a.pem", folder / "b.pem"


def _issuer(server: JwksServer, key_path: Path) -> LocalIssuer:
    return LocalIssuer(key_path, issuer=server.issuer, client_id=CLIENT)


def _verifier(server: JwksServer, **options: Any) -> JwtVerifier:
    return JwtVerifier(server.issuer, [CLIENT], jwks_url=server.url, **options)


def test_tokens_verify_through_the_url_and_keys_are_cached(
    server: JwksServer, keys: tuple[Path, Path]
) -> None:
    issuer = _issuer(server, keys[0])
    server.jwks = issuer.jwks()
    verifier = _verifier(server)
    assert verifier.verify(issuer.issue("alice", "customer")).customer_id == "alice"
    assert verifier.verify(issuer.issue("sam", "agent", token_use="id")).is_agent
    assert server.hits == 1


def test_only_a_key_missing_from_the_cache_needs_the_network(
    server: JwksServer, keys: tuple[Path, Path]
) -> None:
    old, new = _issuer(server, keys[0]), _issuer(server, keys[1])
    server.jwks = old.jwks()
    verifier = _verifier(server)
    token = old.issue("alice", "customer")
    assert not verifier.verifies_offline(token), "nothing is cached before the first fetch"
    verifier.verify(token)
    assert verifier.verifies_offline(old.issue("sam", "agent"))
    assert not verifier.verifies_offline(new.issue("alice", "customer")), "unknown kid: refetch"
    assert verifier.verifies_offline("not a jwt"), "rejected before any key is needed"
    assert server.hits == 1


def test_default_cognito_jwks_url_from_settings(
    server: JwksServer, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    issuer = _issuer(server, keys[0])
    server.jwks = issuer.jwks()
    settings = Settings(data_dir=tmp_path, auth_mode="cognito", auth_issuer=server.issuer)
    verifier = verifier_from_settings(settings)
    assert verifier.jwks_url == server.url
    assert verifier.verify(issuer.issue("bob", "admin")).is_admin


def test_rotated_key_is_picked_up(server: JwksServer, keys: tuple[Path, Path]) -> None:
    old, new = _issuer(server, keys[0]), _issuer(server, keys[1])
    server.jwks = old.jwks()
    verifier = _verifier(server, jwks_cooldown=0)
    assert verifier.verify(old.issue("alice", "customer")).sub == "alice"

    server.jwks = {"keys": [*old.jwks()["keys"], *new.jwks()["keys"]]}
    assert verifier.verify(new.issue("alice", "customer")).sub == "alice"
    assert verifier.verify(old.issue("alice", "customer")).sub == "alice"
    assert server.hits == 2

    server.jwks = new.jwks()
    stranger = _issuer(server, keys[0].with_name("c.pem"))
    with pytest.raises(AuthError) as caught:
        verifier.verify(stranger.issue("x", "customer"))
    assert caught.value.code == "unknown_kid" and caught.value.status == 401
    assert server.hits == 3


def test_unknown_kid_refetch_is_rate_limited(server: JwksServer, keys: tuple[Path, Path]) -> None:
    old, new = _issuer(server, keys[0]), _issuer(server, keys[1])
    server.jwks = old.jwks()
    verifier = _verifier(server, jwks_cooldown=60)
    verifier.verify(old.issue("alice", "customer"))
    server.jwks = new.jwks()
    for _ in range(3):
        with pytest.raises(AuthError) as caught:
            verifier.verify(new.issue("alice", "customer"))
        assert caught.value.code == "unknown_kid"
    assert server.hits == 1


def test_server_down_is_503(keys: tuple[Path, Path]) -> None:
    issuer_url = f"http://127.0.0.1:{free_port()}/{POOL}"
    verifier = JwtVerifier(
        issuer_url, [CLIENT], jwks_url=f"{issuer_url}/.well-known/jwks.json", jwks_timeout=2
    )
    token = LocalIssuer(keys[0], issuer=issuer_url).issue("alice", "customer")
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    assert caught.value.status == 503
    assert caught.value.code == "jwks_unavailable"
    assert issuer_url in caught.value.detail


def test_server_stopping_after_keys_were_cached(keys: tuple[Path, Path]) -> None:
    server = JwksServer()
    issuer = _issuer(server, keys[0])
    server.jwks = issuer.jwks()
    verifier = _verifier(server, jwks_cooldown=0)
    try:
        assert verifier.verify(issuer.issue("alice", "customer")).sub == "alice"
    finally:
        server.stop()
    assert verifier.verify(issuer.issue("alice", "customer")).sub == "alice"
    other = _issuer(server, keys[1])
    with pytest.raises(AuthError) as caught:
        verifier.verify(other.issue("alice", "customer"))
    assert (caught.value.status, caught.value.code) == (503, "jwks_unavailable")


@pytest.mark.parametrize(("status", "body"), [(500, b"oops"), (200, b"not json"), (200, b"[]")])
def test_bad_jwks_responses_are_503(
    server: JwksServer, keys: tuple[Path, Path], status: int, body: bytes
) -> None:
    server.status, server.body = status, body
    with pytest.raises(AuthError) as caught:
        _verifier(server).verify(_issuer(server, keys[0]).issue("alice", "customer"))
    assert (caught.value.status, caught.value.code) == (503, "jwks_unavailable")
