"""A development token issuer that signs Cognito-shaped RS256 tokens with a local key.

The private key lives in one PEM file (mode 0600) under the data folder, created on first
use and reused afterwards, so the server and `tandem auth token` (same data folder) agree.
It serves development and tests only: it refuses to start when `auth_mode` is `cognito`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import stat
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from server.auth.principal import ROLES, is_role

if TYPE_CHECKING:
    from config.settings import Settings

logger = logging.getLogger(__name__)

KEY_SIZE = 2048
"""Size in bits of the RSA key the issuer creates."""

ALGORITHM = "RS256"
"""The only signing algorithm the issuer uses (and the verifier accepts)."""


class LocalIssuerDisabledError(RuntimeError):
    """Raised when the local issuer is requested while Cognito is the configured issuer."""


def _b64url_uint(value: int) -> str:
    """Encode a non-negative integer as unpadded base64url of its big-endian bytes."""
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def rsa_public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """Return the required members (`e`, `kty`, `n`) of an RSA public key's JWK."""
    numbers = public_key.public_numbers()
    return {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint of an RSA JWK, base64url without padding."""
    required = {name: jwk[name] for name in ("e", "kty", "n")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode("utf-8")
    digest = hashlib.sha256(canonical).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _write_new_key(path: Path) -> None:
    """Create a private key at `path` (mode 0600) unless another process got there first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    # mkstemp creates the file with mode 0600 whatever the umask.
    handle, temp_name = tempfile.mkstemp(prefix=".issuer-key-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(pem)
            temp.flush()
            os.fsync(temp.fileno())
        try:
            os.link(temp_name, path)
        except FileExistsError:
            logger.debug("issuer key %s was created concurrently; reusing it", path)
        except OSError:
            if not path.exists():
                os.replace(temp_name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
    logger.info("created local issuer key %s", path)


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    """Load the RSA private key stored at `path`, with a clear error for anything else."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("issuer key %s is readable by others (mode %o); expected 0600", path, mode)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}, not an RSA private key")
    if key.key_size < KEY_SIZE:
        raise ValueError(f"{path} holds a {key.key_size}-bit RSA key; at least {KEY_SIZE} needed")
    return key


class LocalIssuer:
    """Signs RS256 access and ID tokens shaped like Amazon Cognito's, for development.

    The key is created (or loaded) lazily, on the first call that needs it.
    """

    def __init__(
        self,
        key_path: str | os.PathLike[str],
        issuer: str = "tandem-local",
        client_id: str = "tandem-web",
        ttl: int = 3600,
    ) -> None:
        if not issuer:
            raise ValueError("the issuer name must not be empty")
        if not client_id:
            raise ValueError("the client id must not be empty")
        if ttl <= 0:
            raise ValueError("the token lifetime must be positive")
        self.key_path = Path(key_path).expanduser()
        self.issuer = issuer
        self.client_id = client_id
        self.ttl = ttl
        self._loaded: tuple[rsa.RSAPrivateKey, str] | None = None

    def _key_and_kid(self) -> tuple[rsa.RSAPrivateKey, str]:
        """Return the signing key and its key id, creating the key file on first use."""
        if self._loaded is None:
            if not self.key_path.exists():
                _write_new_key(self.key_path)
            key = _load_key(self.key_path)
            self._loaded = (key, jwk_thumbprint(rsa_public_jwk(key.public_key())))
        return self._loaded

    def _private_key(self) -> rsa.RSAPrivateKey:
        """Return the signing key, creating the key file on first use."""
        return self._key_and_kid()[0]

    @property
    def kid(self) -> str:
        """The key id: the RFC 7638 thumbprint of the public key."""
        return self._key_and_kid()[1]

    def public_jwk(self) -> dict[str, str]:
        """Return the public key as a JWK with `kid`, `alg` and `use`, like Cognito publishes."""
        jwk = rsa_public_jwk(self._private_key().public_key())
        return {
            "alg": ALGORITHM,
            "e": jwk["e"],
            "kid": self.kid,
            "kty": "RSA",
            "n": jwk["n"],
            "use": "sig",
        }

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Return the JSON Web Key Set holding the issuer's public key."""
        return {"keys": [self.public_jwk()]}

    def issue(
        self,
        sub: str,
        role: str,
        *,
        customer_id: str | None = None,
        name: str | None = None,
        token_use: str = "access",
        ttl: int | None = None,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        """Sign a token for `sub` in group `role` and return it.

        Access tokens carry `client_id`, `username`, `scope`, `cognito:groups` (plus
        `custom:customer_id` / `name` when given); ID tokens carry `aud`, `cognito:username`,
        `cognito:groups`, `name` and `custom:customer_id` when given. `extra_claims` are merged
        last and override standard claims; a None value removes that claim.
        """
        if not sub:
            raise ValueError("a token needs a non-empty subject")
        if not is_role(role):
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        if token_use not in ("access", "id"):
            raise ValueError(f"token_use must be 'access' or 'id', not {token_use!r}")
        lifetime = self.ttl if ttl is None else ttl
        if lifetime <= 0:
            raise ValueError("the token lifetime must be positive")
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": sub,
            "cognito:groups": [role],
            "iss": self.issuer,
            "token_use": token_use,
            "auth_time": now,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
        }
        if token_use == "access":
            claims.update(
                version=2,
                client_id=self.client_id,
                username=sub,
                scope="aws.cognito.signin.user.admin",
            )
        else:
            claims.update({"aud": self.client_id, "cognito:username": sub})
        if name:
            claims["name"] = name
        if customer_id:
            claims["custom:customer_id"] = customer_id
        for claim, value in (extra_claims or {}).items():
            if value is None:
                claims.pop(claim, None)
            else:
                claims[claim] = value
        return jwt.encode(
            claims, self._private_key(), algorithm=ALGORITHM, headers={"kid": self.kid}
        )


def issuer_from_settings(settings: Settings) -> LocalIssuer:
    """Build the local issuer from settings; refuses when `auth_mode` is `cognito`."""
    if settings.auth_mode != "local":
        raise LocalIssuerDisabledError(
            "the local token issuer only serves development and tests; auth_mode is "
            f"{settings.auth_mode!r} (set TANDEM_AUTH_MODE=local to use it)"
        )
    if not settings.auth_client_ids:
        raise ValueError("auth_client_ids is empty; the local issuer needs a client id")
    return LocalIssuer(
        settings.local_issuer_key,
        issuer=settings.auth_issuer,
        client_id=settings.auth_client_ids[0],
        ttl=settings.auth_token_ttl_seconds,
    )
