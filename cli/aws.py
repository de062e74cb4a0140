"""`tandem aws`: create and check the AWS resources of the AWS profile, load order data.

`bootstrap` creates every DynamoDB table (keys, indexes, Time to Live), the S3 offload
bucket and SNS topic when configured, and the OpenSearch index when the knowledge base
uses OpenSearch; it is safe to run again (existing resources are verified and reported as
already present). `check` only looks. Wrong credentials or an unreachable endpoint end
the command with a one-line explanation, not a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from cli.aws_steps import Step
    from config.settings import Settings

aws_app = typer.Typer(
    name="aws",
    help="Create and check the AWS resources (DynamoDB tables, S3, SNS, OpenSearch index).",
    no_args_is_help=True,
    add_completion=False,
)

_REJECTED_CREDENTIALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidAccessKeyId",
    }
)

_STYLES = {
    "created": "green",
    "already present": "cyan",
    "present": "cyan",
    "missing": "yellow",
    "skipped": "dim",
    "unavailable": "yellow",
    "failed": "bold red",
}


class Aborted(Exception):
    """A problem no later step can get past (credentials, endpoint, region)."""


def _console() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _fail(message: str, code: int) -> typer.Exit:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code=code)


def _endpoint(settings: Settings) -> str:
    return settings.dynamodb_endpoint_url or f"AWS ({settings.aws_region})"


def _classify(exc: Exception, settings: Settings) -> Exception:
    """Turn credential, endpoint and region problems into `Aborted` with a clear text."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return Aborted(
            "no usable AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "or AWS_PROFILE, or run where an instance or task role is available"
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return Aborted(f"cannot reach the AWS endpoint {_endpoint(settings)}: {exc}")
    if isinstance(exc, NoRegionError):
        return Aborted("no AWS region: set TANDEM_AWS_REGION")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        if error.get("Code") in _REJECTED_CREDENTIALS:
            return Aborted(
                f"AWS rejected the credentials at {_endpoint(settings)}: "
                f"{error.get('Code')}: {error.get('Message', '')}"
            )
    return exc


def _detail(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}"
    return str(exc) or type(exc).__name__


def _report(console: Console, status: str, resource: str, detail: str = "") -> None:
    style = _STYLES.get(status, "")
    suffix = f" [dim]({escape(detail)})[/]" if detail else ""
    console.print(f"[{style}]{status:>15}[/]  {escape(resource)}{suffix}")


def _run_step(step: Step, settings: Settings, create: bool) -> tuple[str, str]:
    """Run one step; return ``(status, detail)``. Raises `Aborted`."""
    from botocore.exceptions import BotoCoreError, ClientError

    from cli.aws_steps import ProviderUnavailable

    if step.skipped:
        return "skipped", step.skipped
    try:
        present = step.exists()
        if not create:
            return ("present", "") if present else ("missing", "")
        step.ensure()
    except ProviderUnavailable as exc:
        return "unavailable", str(exc)
    except (BotoCoreError, ClientError, ValueError, RuntimeError) as exc:
        classified = _classify(exc, settings)
        if isinstance(classified, Aborted):
            raise classified from exc
        return "failed", _detail(exc)
    return ("already present" if present else "created"), ""


def _run(create: bool) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from cli.aws_steps import bootstrap_steps
    from config.settings import get_settings

    settings = get_settings()
    console = _console()
    console.print(
        f"[bold]{'Bootstrapping' if create else 'Checking'}[/] AWS resources · region "
        f"{escape(settings.aws_region)} · DynamoDB {escape(_endpoint(settings))}"
    )
    counts: dict[str, int] = {}
    try:
        steps = bootstrap_steps(settings)
        for step in steps:
            status, detail = _run_step(step, settings, create)
            counts[status] = counts.get(status, 0) + 1
            _report(console, status, step.resource, detail)
    except Aborted as exc:
        raise _fail(str(exc), 2) from None
    except (BotoCoreError, ClientError) as exc:
        raise _fail(str(_classify(exc, settings)), 2) from None
    console.print(", ".join(f"{count} {status}" for status, count in counts.items()))
    if any(counts.get(status) for status in ("failed", "unavailable", "missing")):
        raise typer.Exit(code=1)


@aws_app.command("bootstrap")
def bootstrap() -> None:
    """Create every AWS resource the AWS profile uses; safe to run again."""
    _run(create=True)


@aws_app.command("check")
def check() -> None:
    """Report which AWS resources exist, changing nothing (exit 1 if any is missing)."""
    _run(create=False)


@aws_app.command("load-orders")
def load_orders(
    tau_dir: Annotated[
        Path | None,
        typer.Option(
            "--tau-dir",
            help="Folder with τ-bench retail users.json, orders.json and products.json "
            "(default: the generated demo store).",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace existing data (default: load only once)."),
    ] = False,
) -> None:
    """Load customers, orders and products into the DynamoDB order table (batch writes)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from cloud.aws import aws_client
    from config.settings import get_settings
    from tools.orders.dynamodb_store import DynamoDBOrderStore
    from tools.orders.seed import generate_demo_data
    from tools.orders.tau_format import load_tau_dir

    settings = get_settings()
    if tau_dir is not None and not all(
        (tau_dir / f"{name}.json").is_file() for name in ("users", "orders", "products")
    ):
        raise _fail(f"{tau_dir} lacks users.json, orders.json or products.json", 2)
    data = load_tau_dir(tau_dir) if tau_dir is not None else generate_demo_data()
    client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
    store = DynamoDBOrderStore(client, settings.orders_table)
    try:
        loaded = store.load_tau(
            data["users"], data["orders"], data["products"], if_empty=not replace
        )
    except client.exceptions.ResourceNotFoundException:
        raise _fail(
            f"table {settings.orders_table} does not exist: run `tandem aws bootstrap` first", 2
        ) from None
    except (BotoCoreError, ClientError) as exc:
        raise _fail(str(_classify(exc, settings)), 2) from None
    console = _console()
    if not loaded:
        console.print(
            f"{escape(settings.orders_table)} was loaded before; nothing written "
            "(use --replace to overwrite)"
        )
        return
    counts = ", ".join(f"{len(data[name])} {name}" for name in ("users", "orders", "products"))
    console.print(f"[green]loaded[/] {counts} into {escape(settings.orders_table)}")
