"""FastAPI auth dependencies on a tiny app, through TestClient."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from server.auth import AuthError, JwtVerifier, LocalIssuer, Principal
from server.auth.dependencies import (
    AdminPrincipal,
    AgentPrincipal,
    CurrentPrincipal,
    ensure_customer_access,
    require_roles,
)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(tmp_path_factory.mktemp("auth") / "key.pem")


def _app(verifier: Any) -> FastAPI:
    app = FastAPI()
    if verifier is not None:
        app.state.verifier = verifier

    @app.get("/me")
    def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"sub": principal.sub, "role": principal.role, "customer": principal.customer_id}

    @app.get("/queue")
    def queue(principal: AgentPrincipal) -> dict[str, str]:
        return {"agent": principal.sub}

    @app.get("/admin")
    def admin(principal: AdminPrincipal) -> dict[str, str]:
        return {"admin": principal.sub}

    @app.get("/customers/{customer_id}")
    def customer(customer_id: str, principal: CurrentPrincipal) -> dict[str, str]:
        ensure_customer_access(principal, customer_id)
        return {"customer": customer_id}

    return app


@pytest.fixture()
def client(issuer: LocalIssuer) -> TestClient:
    verifier = JwtVerifier("tandem-local", ["tandem-web"], jwks=issuer.jwks())
    return TestClient(_app(verifier))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_missing_token_is_401(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "missing_token"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "token"])
def test_non_bearer_header_is_401(client: TestClient, header: str) -> None:
    response = client.get("/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "missing_token"


def test_bad_token_is_401_with_code(client: TestClient, issuer: LocalIssuer) -> None:
    response = client.get("/me", headers=_bearer("not-a-jwt"))
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "malformed_token"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'

    expired = issuer.issue("alice", "customer", extra_claims={"exp": 1_000, "iat": 900})
    response = client.get("/me", headers=_bearer(expired))
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "token_expired"


def test_valid_token_is_200(client: TestClient, issuer: LocalIssuer) -> None:
    response = client.get("/me", headers=_bearer(issuer.issue("alice", "customer")))
    assert response.status_code == 200
    assert response.json() == {"sub": "alice", "role": "customer", "customer": "alice"}
    lower = client.get("/me", headers={"authorization": f"bearer {issuer.issue('a', 'agent')}"})
    assert lower.status_code == 200


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("customer", "/queue", 403),
        ("agent", "/queue", 200),
        ("admin", "/queue", 200),
        ("customer", "/admin", 403),
        ("agent", "/admin", 403),
        ("admin", "/admin", 200),
    ],
)
def test_roles(client: TestClient, issuer: LocalIssuer, role: str, path: str, status: int) -> None:
    response = client.get(path, headers=_bearer(issuer.issue("u1", role)))
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"]["code"] == "forbidden_role"


def test_customer_access(client: TestClient, issuer: LocalIssuer) -> None:
    own = _bearer(issuer.issue("u1", "customer", customer_id="C-1"))
    assert client.get("/customers/C-1", headers=own).status_code == 200
    other = client.get("/customers/C-2", headers=own)
    assert other.status_code == 403
    assert other.json()["detail"]["code"] == "forbidden_customer"
    agent = _bearer(issuer.issue("u2", "agent"))
    assert client.get("/customers/C-2", headers=agent).status_code == 200


def test_jwks_outage_is_503() -> None:
    class DownVerifier:
        def verifies_offline(self, token: str) -> bool:
            return False  # a JWKS fetch would be needed: verified in a worker thread

        def verify(self, token: str) -> Principal:
            raise AuthError("jwks_unavailable", "keys unreachable", status=503)

    response = TestClient(_app(DownVerifier())).get("/me", headers=_bearer("x.y.z"))
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "jwks_unavailable"
    assert "www-authenticate" not in response.headers


def test_missing_verifier_is_500() -> None:
    response = TestClient(_app(None)).get("/me", headers=_bearer("x.y.z"))
    assert response.status_code == 500
    assert response.json()["detail"]["code"] == "auth_not_configured"


def test_principal_is_kept_on_request_state(issuer: LocalIssuer) -> None:
    app = _app(JwtVerifier("tandem-local", ["tandem-web"], jwks=issuer.jwks()))

    @app.get("/state")
    def state(request: Request, principal: CurrentPrincipal) -> dict[str, bool]:
        return {"same": request.state.principal is principal}

    response = TestClient(app).get("/state", headers=_bearer(issuer.issue("u", "admin")))
    assert response.json() == {"same": True}


def test_require_roles_validates_its_arguments() -> None:
    with pytest.raises(ValueError):
        require_roles()
    with pytest.raises(ValueError, match="unknown role"):
        require_roles("root")  # type: ignore[arg-type]
