"""Browser sign-in: development tokens in local mode only, Cognito's hosted login otherwise."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.app import create_app


def test_local_token_signs_in_an_agent_the_api_accepts(api):
    response = api.client.post(
        "/v1/auth/local-token", json={"role": "agent", "sub": "alice", "name": "Alice Chen"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    queue = api.client.get("/v1/queue", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert queue.status_code == 200


def test_a_customer_token_reaches_only_that_customer(api):
    token = api.client.post(
        "/v1/auth/local-token", json={"role": "customer", "sub": "alex_morgan_1001"}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        api.client.get("/v1/customers/alex_morgan_1001/orders", headers=headers).status_code == 200
    )
    other = api.client.get("/v1/customers/sam_lee_2002/orders", headers=headers)
    assert other.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"role": "root", "sub": "x"},
        {"role": "agent", "sub": ""},
        {"role": "agent", "sub": "bad name"},
        {"role": "agent", "sub": "a", "extra": 1},
    ],
)
def test_bad_sign_in_requests_get_a_clear_422(api, body):
    response = api.client.post("/v1/auth/local-token", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_staff_tokens_never_carry_a_customer(api):
    token = api.client.post(
        "/v1/auth/local-token",
        json={"role": "agent", "sub": "eve", "customer_id": "alex_morgan_1001"},
    ).json()["access_token"]
    verifier = api.client.app.state.verifier
    assert verifier.verify(token).customer_id is None


def test_local_mode_config_has_no_hosted_login(api):
    assert api.client.get("/v1/auth/config").json() == {"mode": "local", "hosted_login": None}


def test_cognito_mode_refuses_development_tokens_and_points_to_hosted_login(
    server_settings, services
):
    server_settings.auth_mode = "cognito"
    server_settings.auth_issuer = "us-east-1_AbCdEf123"
    server_settings.auth_hosted_ui_domain = "tandem.auth.us-east-1.amazoncognito.com"
    with TestClient(create_app(server_settings, services)) as client:
        refused = client.post("/v1/auth/local-token", json={"role": "admin", "sub": "mallory"})
        config = client.get("/v1/auth/config").json()
    assert refused.status_code == 404 and refused.json()["code"] == "no_local_issuer"
    assert config["mode"] == "cognito"
    hosted = config["hosted_login"]
    assert (
        hosted["authorize_url"]
        == "https://tandem.auth.us-east-1.amazoncognito.com/oauth2/authorize"
    )
    assert hosted["token_url"].endswith("/oauth2/token")
    assert hosted["client_id"] == "tandem-web"


def test_an_admin_sign_in_needs_the_local_secret(api, server_settings):
    refused = api.client.post("/v1/auth/local-token", json={"role": "admin", "sub": "mallory"})
    wrong = api.client.post(
        "/v1/auth/local-token", json={"role": "admin", "sub": "mallory", "secret": "guess"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "local_secret_required"
    assert wrong.status_code == 403 and wrong.json()["code"] == "local_secret_required"
    secret = server_settings.local_secret_file.read_text().strip()
    signed = api.client.post(
        "/v1/auth/local-token", json={"role": "admin", "sub": "root", "secret": secret}
    )
    assert signed.status_code == 200, signed.text
    principal = api.client.app.state.verifier.verify(signed.json()["access_token"])
    assert principal.is_admin


def test_the_local_secret_file_is_private_and_kept_across_restarts(server_settings, services):
    with TestClient(create_app(server_settings, services)):
        first = server_settings.local_secret_file.read_text()
    with TestClient(create_app(server_settings, services)):
        second = server_settings.local_secret_file.read_text()
    assert first == second and len(first.strip()) >= 40
    assert server_settings.local_secret_file.stat().st_mode & 0o777 == 0o600
    assert server_settings.local_secret_file.parent.stat().st_mode & 0o777 == 0o700


def test_local_sign_ins_are_rate_limited_per_address(server_settings, services):
    server_settings.local_token_per_minute = 3
    with TestClient(create_app(server_settings, services)) as client:
        answers = [
            client.post("/v1/auth/local-token", json={"role": "customer", "sub": f"c{n}"})
            for n in range(5)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert int(answers[-1].headers["retry-after"]) >= 1
