"""Bearer-token verification against a JWKS, as Amazon Cognito issues tokens.

Only RS256 is accepted. The key is chosen by the token header's `kid` from either an
in-memory JWKS (local development issuer) or a JWKS URL fetched and cached by PyJWT's
`PyJWKClient` (Cognito). Every failure is an `AuthError` carrying an HTTP status, a short
machine-readable code and a human sentence.
"""

from __future__ import annotations

import inspect
import re
import threading
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import jwt
from cachetools import TLRUCache
from jwt import PyJWK, PyJWKClient, PyJWKSet
from jwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
)

from server.auth.principal import Principal

if TYPE_CHECKING:
    from config.settings import Settings
    from server.auth.local_issuer import LocalIssuer

ALLOWED_ALGORITHMS = ("RS256",)
"""Signature algorithms the verifier accepts; anything else is rejected before key lookup."""

TOKEN_USES = ("access", "id")
"""Accepted values of the Cognito `token_use` claim."""

_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$")


VERIFIED_SECONDS = 60.0
"""How long a verified token is remembered (never past its `exp`)."""

VERIFIED_TOKENS = 10_000
"""Verified tokens remembered at most (least recently used ones are forgotten first)."""


class AuthError(Exception):
    """A request could not be authenticated.

    `status` is the HTTP status to answer with (401 for a bad or missing token, 403 for a
    valid token that is not allowed, 503 when the signing keys cannot be fetched), `code`
    a short machine string such as `token_expired`, and `detail` a human sentence.
    """

    def __init__(self, code: str, detail: str, *, status: int = 401) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status

    def __repr__(self) -> str:
        return f"AuthError(status={self.status}, code={self.code!r}, detail={self.detail!r})"


def _pyjwt_supports(parameter: str) -> bool:
    """Return True when the installed `PyJWKClient` accepts the keyword `parameter`."""
    return parameter in inspect.signature(PyJWKClient.__init__).parameters


class JwtVerifier:
    """Verifies RS256 bearer tokens and turns their claims into a `Principal`.

    Give exactly one of `jwks` (an in-memory JWK Set dict) or `jwks_url`. With a URL the
    set is cached for `jwks_lifespan` seconds; a token whose `kid` is unknown forces one
    refetch, at most once per `jwks_cooldown` seconds, so rotated keys are picked up.
    `leeway` (seconds) tolerates clock skew on `exp`, `nbf` and `iat`.
    """

    def __init__(
        self,
        issuer: str,
        client_ids: Iterable[str],
        *,
        jwks: Mapping[str, Any] | None = None,
        jwks_url: str | None = None,
        leeway: float = 30,
        jwks_lifespan: float = 300,
        jwks_cooldown: float = 30,
        jwks_timeout: float = 5,
    ) -> None:
        if not issuer:
            raise ValueError("the expected issuer must not be empty")
        self.issuer = issuer
        self.client_ids = frozenset(client_ids)
        if not self.client_ids:
            raise ValueError("at least one accepted client id is needed")
        if (jwks is None) == (jwks_url is None):
            raise ValueError("give exactly one of jwks or jwks_url")
        self.leeway = leeway
        # Values are (expires at, principal); the entry lives until the first of them.
        self._verified: TLRUCache[str, tuple[float, Principal]] = TLRUCache(
            maxsize=VERIFIED_TOKENS,
            ttu=lambda _key, value, _now: value[0],
            timer=lambda: time.time(),
        )
        self._verified_lock = threading.Lock()
        self.jwks_url = jwks_url
        self._keys: PyJWKSet | None = None
        self._client: PyJWKClient | None = None
        if jwks is not None:
            try:
                self._keys = PyJWKSet.from_dict(dict(jwks))
            except (PyJWKError, PyJWKSetError) as exc:
                raise ValueError(f"unusable JWKS: {exc}") from exc
        elif jwks_url is not None:
            options: dict[str, Any] = {"lifespan": jwks_lifespan, "timeout": jwks_timeout}
            if _pyjwt_supports("cooldown_duration"):
                options["cooldown_duration"] = jwks_cooldown
            try:
                self._client = PyJWKClient(jwks_url, cache_jwk_set=True, **options)
            except PyJWKClientError as exc:
                raise ValueError(f"unusable JWKS URL {jwks_url!r}: {exc}") from exc

    def verifies_offline(self, token: str | None) -> bool:
        """Whether `verify(token)` finishes without fetching the JWKS over the network.

        True for an in-memory key set, and for a remote one whose cached copy is fresh and
        holds the token's `kid` (or when the token is rejected before any key is needed).
        """
        if self._client is None or not token or not token.strip():
            return True
        cache = self._client.jwk_set_cache
        cached = cache.get() if cache is not None else None
        if cached is None:
            return False
        try:
            kid = jwt.get_unverified_header(token.strip()).get("kid")
        except InvalidTokenError:
            return True
        return any(key.key_id == kid for key in cached.keys)

    def verify(self, token: str | None) -> Principal:
        """Verify `token` and return its principal; raise `AuthError` when it is not valid.

        A token that verified is remembered until it expires, for at most
        `VERIFIED_SECONDS`: clients send the same token with every request, and checking
        its RSA signature each time is most of an authenticated request's cost. A key
        withdrawn from the JWKS therefore stops working within that time.
        """
        key = token.strip() if token else ""
        with self._verified_lock:
            remembered = self._verified.get(key)
        if remembered is not None:
            return remembered[1]
        claims = self.decode(token)
        try:
            principal = Principal.from_claims(claims)
        except ValueError as exc:
            raise AuthError("invalid_claim", f"The token's claims are unusable: {exc}.") from exc
        now = time.time()
        until = min(float(claims.get("exp", now)), now + VERIFIED_SECONDS)
        with self._verified_lock:
            self._verified[key] = (until, principal)
        return principal

    def decode(self, token: str | None) -> dict[str, Any]:
        """Verify `token` and return its claims; raise `AuthError` when it is not valid."""
        if not token or not token.strip():
            raise AuthError("missing_token", "No bearer token was supplied.")
        token = token.strip()
        try:
            # Besides undecodable tokens, PyJWT refuses headers whose `kid` is not a string
            # or whose `crit` names extensions it does not implement (InvalidTokenError).
            header = jwt.get_unverified_header(token)
        except InvalidTokenError as exc:
            raise AuthError(
                "malformed_token", f"The token is not a well-formed JWT: {exc}."
            ) from exc
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise AuthError(
                "alg_not_allowed",
                f"Tokens signed with {algorithm!r} are not accepted; only RS256 is.",
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("unknown_kid", "The token header names no signing key (kid).")
        key = self._signing_key(kid)
        claims = self._decode_signed(token, key)
        self._check_cognito_claims(claims)
        return claims

    def _signing_key(self, kid: str) -> PyJWK:
        """Return the RS256 public key published under `kid`."""
        key: PyJWK | None = None
        if self._keys is not None:
            key = next((k for k in self._keys.keys if k.key_id == kid), None)
        elif self._client is not None:
            key = self._fetch_key(self._client, kid)
        if key is None:
            raise AuthError("unknown_kid", f"No published signing key has kid {kid!r}.")
        if key.algorithm_name not in ALLOWED_ALGORITHMS or key.key_type != "RSA":
            raise AuthError(
                "alg_not_allowed", f"The key {kid!r} is not an RS256 key ({key.algorithm_name})."
            )
        return key

    def _fetch_key(self, client: PyJWKClient, kid: str) -> PyJWK | None:
        """Look `kid` up in the cached set; refetch (within the cooldown) when unknown."""
        try:
            cached = client.get_signing_keys()
        except (PyJWKClientError, PyJWKSetError, PyJWKError, ValueError, OSError) as exc:
            raise _jwks_unavailable(client.uri, exc) from exc
        key = PyJWKClient.match_kid(cached, kid)
        if key is not None:
            return key
        try:
            return client.get_signing_key(kid)
        except (PyJWKClientConnectionError, PyJWKSetError, PyJWKError, ValueError, OSError) as exc:
            raise _jwks_unavailable(client.uri, exc) from exc
        except PyJWKClientError:
            return None

    def _decode_signed(self, token: str, key: PyJWK) -> dict[str, Any]:
        """Check signature, expiry, not-before, issued-at and issuer; return the claims."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=list(ALLOWED_ALGORITHMS),
                issuer=self.issuer,
                leeway=self.leeway,
                options={
                    "require": ["exp", "iat", "iss", "sub"],
                    "verify_aud": False,
                },
            )
        except ExpiredSignatureError as exc:
            raise AuthError("token_expired", "The token has expired.") from exc
        except ImmatureSignatureError as exc:
            raise AuthError("token_not_yet_valid", f"The token is not valid yet: {exc}.") from exc
        except InvalidIssuerError as exc:
            raise AuthError(
                "wrong_issuer", f"The token was not issued by {self.issuer!r}."
            ) from exc
        except MissingRequiredClaimError as exc:
            raise AuthError(
                "missing_claim", f"The token lacks the required {exc.claim!r} claim."
            ) from exc
        except InvalidIssuedAtError as exc:
            raise AuthError("invalid_claim", f"The token's iat claim is invalid: {exc}.") from exc
        except InvalidSignatureError as exc:
            raise AuthError("invalid_signature", "The token signature does not verify.") from exc
        except InvalidAlgorithmError as exc:
            raise AuthError("alg_not_allowed", f"The token algorithm is refused: {exc}.") from exc
        except DecodeError as exc:
            raise AuthError("malformed_token", f"The token could not be decoded: {exc}.") from exc
        except InvalidTokenError as exc:
            raise AuthError("invalid_token", f"The token is invalid: {exc}.") from exc
        return claims

    def _check_cognito_claims(self, claims: Mapping[str, Any]) -> None:
        """Check `token_use` and the app client (`client_id` or `aud`) the token is for."""
        token_use = claims.get("token_use")
        if token_use not in TOKEN_USES:
            raise AuthError(
                "wrong_token_use",
                f"token_use must be 'access' or 'id', not {token_use!r}.",
            )
        if token_use == "access":
            client_id = claims.get("client_id")
            if not isinstance(client_id, str) or client_id not in self.client_ids:
                raise AuthError(
                    "wrong_client",
                    f"The access token was issued to another client ({client_id!r}).",
                )
        else:
            audience = claims.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if not any(isinstance(a, str) and a in self.client_ids for a in audiences):
                raise AuthError(
                    "wrong_client",
                    f"The ID token's audience {audience!r} is not an accepted client.",
                )


def _jwks_unavailable(url: str, exc: Exception) -> AuthError:
    """Build the 503 error raised when the signing keys cannot be fetched or parsed."""
    return AuthError(
        "jwks_unavailable",
        f"The signing keys could not be fetched from {url}: {exc}",
        status=503,
    )


def cognito_issuer(issuer: str) -> str:
    """Expand a bare user pool id (`REGION_ID`) to its Cognito issuer URL; else return as is."""
    match = _POOL_ID.match(issuer.strip())
    if match:
        return f"https://cognito-idp.{match['region']}.amazonaws.com/{issuer.strip()}"
    return issuer.strip().rstrip("/")


def verifier_from_settings(
    settings: Settings, local_issuer: LocalIssuer | None = None
) -> JwtVerifier:
    """Build the verifier for the configured `auth_mode`.

    `local`: an in-memory JWKS holding the local issuer's key (`local_issuer`, or one built
    from settings). `cognito`: the JWKS at `auth_jwks_url`, by default
    `{auth_issuer}/.well-known/jwks.json`.
    """
    if settings.auth_mode == "local":
        from server.auth.local_issuer import issuer_from_settings

        issuer = local_issuer or issuer_from_settings(settings)
        return JwtVerifier(settings.auth_issuer, settings.auth_client_ids, jwks=issuer.jwks())
    expected = cognito_issuer(settings.auth_issuer)
    if not expected.startswith(("https://", "http://")):
        raise ValueError(
            f"auth_issuer {settings.auth_issuer!r} is not a Cognito issuer; set TANDEM_AUTH_ISSUER "
            f"to https://cognito-idp.{settings.aws_region}.amazonaws.com/<user pool id>"
        )
    jwks_url = settings.auth_jwks_url or f"{expected}/.well-known/jwks.json"
    return JwtVerifier(expected, settings.auth_client_ids, jwks_url=jwks_url)
