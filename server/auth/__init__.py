"""Authentication and roles: Cognito-style JWT bearer tokens verified against a JWKS.

`JwtVerifier` checks RS256 tokens (from Amazon Cognito, or from the `LocalIssuer` used in
development) and yields a `Principal`; `server.auth.dependencies` plugs it into FastAPI.
"""

from server.auth.local_issuer import (
    LocalIssuer,
    LocalIssuerDisabledError,
    issuer_from_settings,
    jwk_thumbprint,
)
from server.auth.principal import ROLES, Principal, Role, role_from_groups
from server.auth.verifier import AuthError, JwtVerifier, verifier_from_settings

__all__ = [
    "ROLES",
    "AuthError",
    "JwtVerifier",
    "LocalIssuer",
    "LocalIssuerDisabledError",
    "Principal",
    "Role",
    "issuer_from_settings",
    "jwk_thumbprint",
    "role_from_groups",
    "verifier_from_settings",
]
