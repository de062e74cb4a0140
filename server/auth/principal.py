"""The authenticated caller: who they are, which role they hold, which customer they are.

Roles come from the Cognito `cognito:groups` claim. A user in several groups gets the
strongest role present (admin > agent > customer); a user in no known group is a customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

Role = Literal["customer", "agent", "admin"]
"""The three roles Tandem knows, weakest first."""

ROLES: tuple[Role, ...] = get_args(Role)
"""Every valid role, weakest first."""

_PRECEDENCE: tuple[Role, ...] = ("admin", "agent", "customer")


def is_role(value: object) -> bool:
    """Return True when `value` is one of the known role names."""
    return isinstance(value, str) and value in ROLES


def role_from_groups(groups: object) -> Role:
    """Map a `cognito:groups` claim value to a role: strongest known group wins.

    Accepts the list Cognito issues (a single string is treated as a one-item list);
    anything else, or no known group, yields `customer`.
    """
    if isinstance(groups, str):
        names: Iterable[object] = (groups,)
    elif isinstance(groups, list | tuple):
        names = groups
    else:
        return "customer"
    present = {name for name in names if isinstance(name, str)}
    for role in _PRECEDENCE:
        if role in present:
            return role
    return "customer"


def _text(value: object) -> str | None:
    """Return `value` when it is a non-blank string, else None."""
    if isinstance(value, str) and value.strip():
        return value
    return None


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller, built from verified token claims.

    `customer_id` is set for customers only (the customer record they may see); staff
    (agents, admins) have none. `client_id` is the app client the token was issued to.
    """

    sub: str
    role: Role
    name: str
    customer_id: str | None
    token_use: str
    client_id: str | None

    def __post_init__(self) -> None:
        if not isinstance(self.sub, str) or not self.sub:
            raise ValueError("a principal needs a non-empty subject")
        if not is_role(self.role):
            raise ValueError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")

    @property
    def is_agent(self) -> bool:
        """True for staff who may work conversations: agents and admins."""
        return self.role in ("agent", "admin")

    @property
    def is_admin(self) -> bool:
        """True for administrators."""
        return self.role == "admin"

    def can_access_customer(self, customer_id: str | None) -> bool:
        """Return True when this principal may see data belonging to `customer_id`.

        Staff may see every customer; a customer only their own record.
        """
        if self.is_agent:
            return True
        return customer_id is not None and customer_id == self.customer_id

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """Build a principal from verified Cognito-shaped claims.

        Role from `cognito:groups`; customer id from `custom:customer_id`, falling back
        to `sub` for customers; name from `name`, `cognito:username`, `username`, then
        `sub`; client id from `client_id` (access tokens) or `aud` (ID tokens).
        """
        sub = _text(claims.get("sub"))
        if sub is None:
            raise ValueError("claims carry no subject")
        role = role_from_groups(claims.get("cognito:groups"))
        customer_id = None
        if role == "customer":
            customer_id = _text(claims.get("custom:customer_id")) or sub
        name = (
            _text(claims.get("name"))
            or _text(claims.get("cognito:username"))
            or _text(claims.get("username"))
            or sub
        )
        token_use = _text(claims.get("token_use")) or ""
        client_id = _text(claims.get("client_id"))
        if client_id is None:
            audience = claims.get("aud")
            if isinstance(audience, list) and audience:
                audience = audience[0]
            client_id = _text(audience)
        return cls(
            sub=sub,
            role=role,
            name=name,
            customer_id=customer_id,
            token_use=token_use,
            client_id=client_id,
        )
