"""JWT verification, the local issuer and principal mapping: the negative suite."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from config.settings import Settings
from server.auth import (
    AuthError,
    JwtVerifier,
    LocalIssuer,
    LocalIssuerDisabledError,
    Principal,
    issuer_from_settings,
    jwk_thumbprint,
    role_from_groups,
    verifier_from_settings,
)
from server.auth.verifier import VERIFIED_SECONDS, cognito_issuer

CLIENT = "tandem-web"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(obj: dict[str, Any]) -> str:
    return _b64(json.dumps(obj, separators=(",", ":")).encode())


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "alice",
        "iss": "tandem-local",
        "token_use": "access",
        "client_id": CLIENT,
        "cognito:groups": ["customer"],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(tmp_path_factory.mktemp("auth") / "key.pem")


@pytest.fixture(scope="module")
def other_issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(tmp_path_factory.mktemp("other-auth") / "key.pem")


@pytest.fixture()
def verifier(issuer: LocalIssuer) -> JwtVerifier:
    return JwtVerifier("tandem-local", [CLIENT], jwks=issuer.jwks())


def _rejected(verifier: JwtVerifier, token: str, code: str, status: int = 401) -> AuthError:
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    assert caught.value.code == code, caught.value.detail
    assert caught.value.status == status
    assert caught.value.detail
    return caught.value


# --- accepted tokens ---------------------------------------------------------------------


def test_valid_access_token(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    principal = verifier.verify(issuer.issue("alice", "customer"))
    assert principal == Principal(
        sub="alice",
        role="customer",
        name="alice",
        customer_id="alice",
        token_use="access",
        client_id=CLIENT,
    )


def test_in_memory_keys_never_need_the_network(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    assert verifier.verifies_offline(issuer.issue("alice", "customer"))


def test_a_verified_token_is_remembered_for_a_minute_at_most(
    issuer: LocalIssuer, verifier: JwtVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = issuer.issue("alice", "customer")
    first = verifier.verify(token)
    verifier._keys = None  # the signing key is withdrawn from the key set
    assert verifier.verify(token) is first, "the signature is not checked again"
    with pytest.raises(AuthError) as caught:
        verifier.verify(issuer.issue("sam", "agent"))
    assert caught.value.code == "unknown_kid", "a token never seen needs the key"
    later = time.time() + VERIFIED_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(AuthError):
        verifier.verify(token)


def test_valid_id_token(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    token = issuer.issue(
        "u-42",
        "customer",
        customer_id="C-1001",
        name="Alex Morgan",
        token_use="id",
        extra_claims={"email": "alex@example.com"},
    )
    claims = verifier.decode(token)
    assert claims["aud"] == CLIENT and claims["email"] == "alex@example.com"
    assert "client_id" not in claims
    principal = verifier.verify(token)
    assert (principal.role, principal.customer_id, principal.name) == (
        "customer",
        "C-1001",
        "Alex Morgan",
    )
    assert (principal.token_use, principal.client_id) == ("id", CLIENT)


def test_token_shapes_follow_cognito(issuer: LocalIssuer) -> None:
    access = jwt.decode(issuer.issue("bob", "agent"), options={"verify_signature": False})
    assert access["cognito:groups"] == ["agent"]
    assert {"client_id", "username", "scope", "jti"} <= access.keys()
    assert "aud" not in access
    header = jwt.get_unverified_header(issuer.issue("bob", "agent"))
    assert header["alg"] == "RS256" and header["kid"] == issuer.kid


def test_expiry_within_leeway_is_accepted(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    now = int(time.time())
    token = issuer.issue("alice", "customer", extra_claims={"exp": now - 10, "iat": now - 100})
    assert verifier.verify(token).sub == "alice"


# --- rejected tokens ---------------------------------------------------------------------


def test_alg_none_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    token = f"{_segment({'alg': 'none', 'kid': issuer.kid})}.{_segment(_claims())}."
    _rejected(verifier, token, "alg_not_allowed")


def test_hs256_signed_with_public_key_is_rejected(
    issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    public_pem = (
        serialization.load_pem_private_key(issuer.key_path.read_bytes(), password=None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{_segment({'alg': 'HS256', 'kid': issuer.kid})}.{_segment(_claims())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    _rejected(verifier, f"{signing_input}.{_b64(signature)}", "alg_not_allowed")


def test_non_rsa_key_in_jwks_is_not_used(issuer: LocalIssuer) -> None:
    secret = b"s" * 32
    jwks = {"keys": [{"kty": "oct", "kid": "shared", "k": _b64(secret)}]}
    verifier = JwtVerifier("tandem-local", [CLIENT], jwks=jwks)
    signing_input = f"{_segment({'alg': 'RS256', 'kid': 'shared'})}.{_segment(_claims())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    _rejected(verifier, f"{signing_input}.{_b64(signature)}", "alg_not_allowed")


def test_wrong_kid_is_rejected(
    issuer: LocalIssuer, other_issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    forged = jwt.encode(
        _claims(),
        other_issuer._private_key(),
        algorithm="RS256",
        headers={"kid": issuer.kid},
    )
    _rejected(verifier, forged, "invalid_signature")


def test_embedded_jwk_header_is_ignored(
    issuer: LocalIssuer, other_issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    forged = jwt.encode(
        _claims(),
        other_issuer._private_key(),
        algorithm="RS256",
        headers={"kid": issuer.kid, "jwk": other_issuer.public_jwk()},
    )
    _rejected(verifier, forged, "invalid_signature")


def test_unknown_kid_is_rejected(other_issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    _rejected(verifier, other_issuer.issue("alice", "customer"), "unknown_kid")


def test_missing_kid_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    token = jwt.encode(_claims(), issuer._private_key(), algorithm="RS256")
    _rejected(verifier, token, "unknown_kid")


def test_wrong_issuer_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    token = issuer.issue("alice", "customer", extra_claims={"iss": "https://evil.example"})
    _rejected(verifier, token, "wrong_issuer")


def test_missing_issuer_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    token = issuer.issue("alice", "customer", extra_claims={"iss": None})
    _rejected(verifier, token, "missing_claim")


def test_expired_token_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    now = int(time.time())
    token = issuer.issue("alice", "customer", extra_claims={"exp": now - 120, "iat": now - 900})
    _rejected(verifier, token, "token_expired")


def test_not_yet_valid_token_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    token = issuer.issue("alice", "customer", extra_claims={"nbf": int(time.time()) + 3600})
    _rejected(verifier, token, "token_not_yet_valid")


def test_token_issued_in_the_future_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    later = int(time.time()) + 3600
    token = issuer.issue("alice", "customer", extra_claims={"iat": later, "exp": later + 60})
    _rejected(verifier, token, "token_not_yet_valid")


@pytest.mark.parametrize("claim", ["exp", "iat", "sub"])
def test_missing_required_claim_is_rejected(
    issuer: LocalIssuer, verifier: JwtVerifier, claim: str
) -> None:
    token = issuer.issue("alice", "customer", extra_claims={claim: None})
    error = _rejected(verifier, token, "missing_claim")
    assert claim in error.detail


@pytest.mark.parametrize("token_use", ["refresh", None, ""])
def test_wrong_token_use_is_rejected(
    issuer: LocalIssuer, verifier: JwtVerifier, token_use: str | None
) -> None:
    token = issuer.issue("alice", "customer", extra_claims={"token_use": token_use})
    _rejected(verifier, token, "wrong_token_use")


@pytest.mark.parametrize("client_id", ["someone-else", None])
def test_access_token_for_another_client_is_rejected(
    issuer: LocalIssuer, verifier: JwtVerifier, client_id: str | None
) -> None:
    token = issuer.issue("alice", "customer", extra_claims={"client_id": client_id})
    _rejected(verifier, token, "wrong_client")


@pytest.mark.parametrize("audience", ["someone-else", ["a", "b"], None])
def test_id_token_for_another_audience_is_rejected(
    issuer: LocalIssuer, verifier: JwtVerifier, audience: object
) -> None:
    token = issuer.issue("alice", "customer", token_use="id", extra_claims={"aud": audience})
    _rejected(verifier, token, "wrong_client")


def test_access_token_audience_does_not_replace_client_id(
    issuer: LocalIssuer, verifier: JwtVerifier
) -> None:
    token = issuer.issue("alice", "customer", extra_claims={"client_id": None, "aud": CLIENT})
    _rejected(verifier, token, "wrong_client")


def test_tampered_payload_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    header, payload, signature = issuer.issue("alice", "customer").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["admin"]
    _rejected(verifier, f"{header}.{_segment(claims)}.{signature}", "invalid_signature")


def test_tampered_signature_is_rejected(issuer: LocalIssuer, verifier: JwtVerifier) -> None:
    header, payload, signature = issuer.issue("alice", "customer").split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    _rejected(verifier, f"{header}.{payload}.{flipped}", "invalid_signature")


@pytest.mark.parametrize(
    "token", ["garbage", "a.b.c", "Bearer x.y.z", "eyJhbGciOiJSUzI1NiJ9", "...", "e30.e30."]
)
def test_garbage_is_rejected(verifier: JwtVerifier, token: str) -> None:
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    assert caught.value.status == 401
    assert caught.value.code in {"malformed_token", "alg_not_allowed"}


@pytest.mark.parametrize("token", ["", "   ", None])
def test_missing_token_is_rejected(verifier: JwtVerifier, token: str | None) -> None:
    _rejected(verifier, token, "missing_token")  # type: ignore[arg-type]


# --- principal mapping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["customer"], "customer"),
        (["agent"], "agent"),
        (["admin"], "admin"),
        (["customer", "admin", "agent"], "admin"),
        (["agent", "customer"], "agent"),
        (["beta-testers"], "customer"),
        ([], "customer"),
        (None, "customer"),
        ("agent", "agent"),
        ({"admin": True}, "customer"),
    ],
)
def test_role_from_groups(groups: object, role: str) -> None:
    assert role_from_groups(groups) == role


def test_principal_mapping_from_claims() -> None:
    customer = Principal.from_claims({"sub": "u1", "token_use": "access", "client_id": CLIENT})
    assert (customer.role, customer.customer_id, customer.name) == ("customer", "u1", "u1")
    agent = Principal.from_claims(
        {
            "sub": "u2",
            "cognito:groups": ["agent"],
            "custom:customer_id": "C-9",
            "cognito:username": "sam",
            "token_use": "id",
            "aud": CLIENT,
        }
    )
    assert (agent.role, agent.customer_id, agent.name, agent.client_id) == (
        "agent",
        None,
        "sam",
        CLIENT,
    )
    named = Principal.from_claims({"sub": "u3", "username": "kim", "name": "Kim Lee"})
    assert named.name == "Kim Lee"
    assert Principal.from_claims({"sub": "u4", "username": "kim"}).name == "kim"


def test_principal_helpers() -> None:
    customer = Principal("u1", "customer", "U", "C-1", "access", CLIENT)
    agent = Principal("u2", "agent", "A", None, "access", CLIENT)
    admin = Principal("u3", "admin", "B", None, "access", CLIENT)
    assert not customer.is_agent and not customer.is_admin
    assert agent.is_agent and not agent.is_admin
    assert admin.is_agent and admin.is_admin
    assert customer.can_access_customer("C-1")
    assert not customer.can_access_customer("C-2")
    assert not customer.can_access_customer(None)
    assert agent.can_access_customer("C-2") and admin.can_access_customer("C-2")
    with pytest.raises(ValueError):
        Principal("u", "root", "R", None, "access", CLIENT)  # type: ignore[arg-type]


# --- local issuer --------------------------------------------------------------------------


def test_key_is_created_private_and_reused(tmp_path: Path) -> None:
    key_path = tmp_path / "nested" / "auth" / "key.pem"
    first = LocalIssuer(key_path)
    assert not key_path.exists()
    token = first.issue("alice", "customer")
    assert key_path.is_file()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert list(key_path.parent.iterdir()) == [key_path]
    pem = key_path.read_bytes()

    second = LocalIssuer(key_path)
    assert second.kid == first.kid
    assert key_path.read_bytes() == pem
    assert JwtVerifier("tandem-local", [CLIENT], jwks=second.jwks()).verify(token).sub == "alice"


def test_kid_is_the_rfc7638_thumbprint(issuer: LocalIssuer) -> None:
    jwk = issuer.public_jwk()
    assert jwk["kid"] == jwk_thumbprint(jwk)
    assert {jwk["kty"], jwk["alg"], jwk["use"]} == {"RSA", "RS256", "sig"}
    assert "d" not in jwk
    rfc_example = {
        "kty": "RSA",
        "e": "AQAB",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1"
            "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4"
            "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO"
            "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF"
            "Cur-kEgU8awapJzKnqDKgw"
        ),
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(rfc_example) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_unusable_key_file_is_a_clear_error(tmp_path: Path) -> None:
    key_path = tmp_path / "key.pem"
    key_path.write_text("not a key")
    key_path.chmod(0o600)
    with pytest.raises(ValueError, match="not an unencrypted PEM private key"):
        LocalIssuer(key_path).jwks()


def test_issue_validates_its_arguments(issuer: LocalIssuer) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        issuer.issue("alice", "root")
    with pytest.raises(ValueError, match="token_use"):
        issuer.issue("alice", "customer", token_use="refresh")
    with pytest.raises(ValueError, match="subject"):
        issuer.issue("", "customer")
    with pytest.raises(ValueError, match="lifetime"):
        issuer.issue("alice", "customer", ttl=0)


# --- construction from settings ------------------------------------------------------------


def test_verifier_from_settings_local_mode(settings: Settings) -> None:
    local = issuer_from_settings(settings)
    assert local.key_path == settings.local_issuer_key
    verifier = verifier_from_settings(settings)
    principal = verifier.verify(local.issue("bob", "admin", name="Bob"))
    assert (principal.role, principal.name, principal.customer_id) == ("admin", "Bob", None)
    assert (
        verifier_from_settings(settings, local_issuer=local)
        .verify(local.issue("bob", "agent", token_use="id"))
        .is_agent
    )


def test_local_issuer_refuses_cognito_mode(settings: Settings) -> None:
    cognito = settings.model_copy(update={"auth_mode": "cognito"})
    with pytest.raises(LocalIssuerDisabledError, match="development"):
        issuer_from_settings(cognito)


def test_verifier_from_settings_cognito_mode(settings: Settings) -> None:
    pool = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    cognito = settings.model_copy(update={"auth_mode": "cognito", "auth_issuer": pool})
    verifier = verifier_from_settings(cognito)
    assert verifier.issuer == pool
    assert verifier.jwks_url == f"{pool}/.well-known/jwks.json"

    by_pool_id = settings.model_copy(
        update={"auth_mode": "cognito", "auth_issuer": "eu-west-1_AbC123"}
    )
    assert verifier_from_settings(by_pool_id).issuer == pool
    assert cognito_issuer(pool + "/") == pool

    explicit = cognito.model_copy(update={"auth_jwks_url": "https://keys.example/jwks.json"})
    assert verifier_from_settings(explicit).jwks_url == "https://keys.example/jwks.json"

    unset = settings.model_copy(update={"auth_mode": "cognito"})
    with pytest.raises(ValueError, match="cognito-idp"):
        verifier_from_settings(unset)


def test_verifier_construction_errors(issuer: LocalIssuer) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        JwtVerifier("tandem-local", [CLIENT])
    with pytest.raises(ValueError, match="exactly one"):
        JwtVerifier("tandem-local", [CLIENT], jwks=issuer.jwks(), jwks_url="https://x/jwks")
    with pytest.raises(ValueError, match="client id"):
        JwtVerifier("tandem-local", [], jwks=issuer.jwks())
    with pytest.raises(ValueError, match="JWKS"):
        JwtVerifier("tandem-local", [CLIENT], jwks={"keys": []})
    with pytest.raises(ValueError, match="JWKS URL"):
        JwtVerifier("tandem-local", [CLIENT], jwks_url="file:///etc/passwd")
