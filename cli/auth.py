"""`tandem auth`: sign development tokens, show the JWKS and the local admin secret.

Tokens are signed with the key under the configured data folder, so a server using the
same data folder accepts them. Only available when `auth_mode` is `local`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from server.auth.local_issuer import LocalIssuer

auth_app = typer.Typer(
    name="auth",
    help="Development tokens from the local issuer (auth_mode=local).",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` as an error on stderr and return the exit to raise."""
    Console(stderr=True, highlight=False).print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code=code)


def _local_issuer() -> LocalIssuer:
    """Return the issuer configured by settings, or exit when Cognito is configured."""
    from config.settings import get_settings
    from server.auth.local_issuer import LocalIssuerDisabledError, issuer_from_settings

    try:
        return issuer_from_settings(get_settings())
    except LocalIssuerDisabledError:
        raise _fail(
            "auth_mode is 'cognito': tokens come from your Cognito user pool, not from Tandem. "
            "Set TANDEM_AUTH_MODE=local to sign development tokens.",
            code=2,
        ) from None
    except ValueError as exc:
        raise _fail(str(exc), code=2) from None


@auth_app.command("token")
def token(
    role: Annotated[str, typer.Option("--role", help="customer, agent or admin.")],
    sub: Annotated[str, typer.Option("--sub", help="Subject (user id) of the token.")],
    customer_id: Annotated[
        str | None,
        typer.Option("--customer-id", help="Customer record id (customers; default: the sub)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    id_token: Annotated[
        bool, typer.Option("--id-token", help="Sign an ID token instead of an access token.")
    ] = False,
    ttl: Annotated[
        int | None,
        typer.Option("--ttl", min=1, help="Lifetime in seconds (default: auth_token_ttl_seconds)."),
    ] = None,
) -> None:
    """Print a signed bearer token for the given role and subject."""
    from server.auth.principal import ROLES, is_role

    if not is_role(role):
        raise _fail(f"unknown role {role!r}; choose one of {', '.join(ROLES)}.", code=2)
    if not sub.strip():
        raise _fail("--sub must not be empty.", code=2)
    if customer_id is None and role == "customer":
        customer_id = sub
    issuer = _local_issuer()
    try:
        signed = issuer.issue(
            sub,
            role,
            customer_id=customer_id,
            name=name,
            token_use="id" if id_token else "access",
            ttl=ttl,
        )
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot sign a token with {issuer.key_path}: {exc}") from None
    typer.echo(signed)


@auth_app.command("jwks")
def jwks() -> None:
    """Print the local issuer's JSON Web Key Set."""
    issuer = _local_issuer()
    try:
        key_set = issuer.jwks()
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot read the issuer key {issuer.key_path}: {exc}") from None
    typer.echo(json.dumps(key_set, indent=2))


@auth_app.command("verify")
def verify(token: Annotated[str, typer.Argument(help="The bearer token to check.")]) -> None:
    """Verify a token as the server would and print its principal as JSON."""
    from config.settings import get_settings
    from server.auth.local_issuer import LocalIssuerDisabledError
    from server.auth.verifier import AuthError, verifier_from_settings

    try:
        verifier = verifier_from_settings(get_settings())
    except (LocalIssuerDisabledError, OSError, ValueError) as exc:
        raise _fail(f"cannot build the token verifier: {exc}", code=2) from None
    try:
        principal = verifier.verify(token)
    except AuthError as exc:
        raise _fail(f"{exc.code}: {exc.detail}") from None
    typer.echo(json.dumps(asdict(principal), indent=2))


@auth_app.command("secret")
def secret() -> None:
    """Print the local secret an admin sign-in in the web apps asks for (creating it if new)."""
    from config.settings import get_settings
    from server.auth.local_secret import ensure_local_secret

    settings = get_settings()
    if settings.auth_mode != "local":
        raise _fail("auth_mode is 'cognito': admins sign in through Cognito.", code=2)
    try:
        typer.echo(ensure_local_secret(settings.local_secret_file))
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot read the local secret {settings.local_secret_file}: {exc}") from None
