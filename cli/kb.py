"""`tandem kb`: build the knowledge-base index from files and query it."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rich.progress import TaskID

    from config.settings import Settings
    from tools.knowledge.ingest import IngestReport
    from tools.knowledge.opensearch_index import OpenSearchKnowledgeBase
    from tools.knowledge.sqlite_index import SqliteKnowledgeBase

kb_app = typer.Typer(
    name="kb",
    help="Build and query the knowledge base (help-centre articles).",
    no_args_is_help=True,
    add_completion=False,
)

TenantOption = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Tenant id (default: settings.tenant).")
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="SQLite index file (default: settings.kb_db); implies the SQLite backend."
    ),
]


def _backend_errors() -> tuple[type[Exception], ...]:
    """Errors opening or writing OpenSearch (unreachable, refused, index mismatch, embedder)."""
    from opensearchpy.exceptions import OpenSearchException

    return (OpenSearchException, RuntimeError, ValueError, OSError)


def _ingest_errors() -> tuple[type[Exception], ...]:
    return (sqlite3.Error, *_backend_errors())


def get_settings() -> Settings:
    """The process-wide settings (imported on first use: pydantic is slow to import)."""
    from config.settings import get_settings as settings

    return settings()


def _fail(message: str, code: int = 1) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code=code)


def _resolve(tenant: str | None, db: Path | None) -> tuple[str, Path]:
    settings = get_settings()
    return tenant or settings.tenant, (db or settings.kb_db).expanduser()


def _uses_opensearch(db: Path | None) -> bool:
    return db is None and get_settings().kb_backend == "opensearch"


def _open_opensearch(tenant: str) -> tuple[OpenSearchKnowledgeBase, str]:
    """Open the configured OpenSearch index; return it and a label for the summary."""
    from wiring.backends import open_knowledge_base

    settings = get_settings().model_copy(update={"tenant": tenant})
    try:
        kb = cast("OpenSearchKnowledgeBase", open_knowledge_base(settings))
    except _backend_errors() as exc:
        raise _fail(str(exc)) from None
    return kb, f"OpenSearch {settings.opensearch_url} index {settings.opensearch_index}"


def _summary_table(report: IngestReport, tenant: str, db: Path | str) -> Table:
    table = Table(title=f"Knowledge base ingest · tenant [bold]{escape(tenant)}[/]")
    for column in ("added", "updated", "unchanged", "removed", "errors"):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.added),
        str(report.updated),
        str(report.unchanged),
        str(report.removed),
        f"[red]{len(report.errors)}[/]" if report.errors else "0",
    )
    table.caption = f"index: {escape(str(db))}"
    return table


@kb_app.command("ingest")
def ingest(
    path: Annotated[Path, typer.Argument(help="A Markdown/HTML/text file or a folder of them.")],
    tenant: TenantOption = None,
    db: DbOption = None,
) -> None:
    """Index a file or folder (recursively); unchanged files are skipped, removed ones dropped."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from config.private_files import private_file
    from tools.knowledge.ingest import ingest_path
    from tools.knowledge.sqlite_index import SqliteKnowledgeBase

    tenant_id, db_path = _resolve(tenant, db)
    if not path.expanduser().exists():
        raise _fail(f"path not found: {path}")
    console = Console()
    kb: SqliteKnowledgeBase | OpenSearchKnowledgeBase
    if _uses_opensearch(db):
        kb, label = _open_opensearch(tenant_id)
    else:
        try:
            kb, label = SqliteKnowledgeBase(private_file(db_path)), str(db_path)
        except (sqlite3.Error, OSError) as exc:
            raise _fail(f"cannot open knowledge base {db_path}: {exc}") from None
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=Console(stderr=True),
        transient=True,
    )
    task: TaskID | None = None

    def on_progress(done: int, total: int, current: Path) -> None:
        nonlocal task
        if task is None:
            task = progress.add_task("Indexing", total=total, current="")
        progress.update(task, completed=done, total=total, current=escape(current.name))

    try:
        with progress:
            report = ingest_path(kb, path, tenant_id, progress=on_progress)
        total = kb.count(tenant_id)
    except FileNotFoundError:
        raise _fail(f"path not found: {path}") from None
    except _ingest_errors() as exc:
        raise _fail(f"ingest into {label} failed: {exc}") from None
    finally:
        kb.close()
    console.print(_summary_table(report, tenant_id, label))
    for error in report.errors:
        console.print(f"[red]✗[/] {escape(error.path)}: {escape(error.message)}")
    console.print(f"{total} document(s) indexed for tenant {escape(tenant_id)}.")


@kb_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="Free-text question or keywords.")],
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, max=100, help="Number of results.")] = 5,
    tenant: TenantOption = None,
    db: DbOption = None,
    answer: Annotated[
        bool, typer.Option("--answer", "-a", help="Also print the best answer sentences.")
    ] = False,
) -> None:
    """Search the knowledge base and print the best-matching articles."""
    from tools.knowledge.extract import answer_sentences
    from tools.knowledge.sqlite_index import SqliteKnowledgeBase

    tenant_id, db_path = _resolve(tenant, db)
    if _uses_opensearch(db):
        os_kb, label = _open_opensearch(tenant_id)
        try:
            passages = os_kb.search(query, k=k, tenant=tenant_id)
        except _backend_errors() as exc:
            raise _fail(f"search in {label} failed: {exc}") from None
        finally:
            os_kb.close()
    else:
        if not db_path.exists():
            raise _fail(f"no knowledge base at {db_path}; run `tandem kb ingest PATH` first")
        try:
            with SqliteKnowledgeBase(db_path) as kb:
                passages = kb.search(query, k=k, tenant=tenant_id)
        except sqlite3.Error as exc:
            raise _fail(f"cannot read knowledge base {db_path}: {exc}") from None
    console = Console()
    if not passages:
        console.print(f"No results for {query!r} (tenant {escape(tenant_id)}).")
        return
    table = Table(title=f"Results for {escape(repr(query))}")
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("title")
    table.add_column("article")
    table.add_column("excerpt", overflow="fold")
    for rank, passage in enumerate(passages, start=1):
        excerpt = " ".join(re.sub(r"(?m)^\s*#{1,6}\s+", "", passage.text).split())[:120]
        table.add_row(
            str(rank),
            f"{passage.score:.3g}",
            escape(passage.title),
            escape(passage.article_id),
            escape(excerpt),
        )
    console.print(table)
    if answer:
        for evidence in answer_sentences(query, passages):
            console.print(f"• {escape(evidence.text)} [dim]({escape(evidence.article_id)})[/]")


@kb_app.command("migrate")
def migrate() -> None:
    """Upgrade the OpenSearch index of an older schema in place, from its stored articles."""
    from tools.knowledge.opensearch_client import connect
    from tools.knowledge.opensearch_migrate import migrate_index

    settings = get_settings()
    if settings.kb_backend != "opensearch":
        raise _fail("`tandem kb migrate` upgrades an OpenSearch index; kb_backend is sqlite")
    label = f"OpenSearch {settings.opensearch_url} index {settings.opensearch_index}"
    try:
        client = connect(settings.opensearch_url, settings.aws_region)
    except _backend_errors() as exc:
        raise _fail(str(exc)) from None
    try:
        written = migrate_index(client, settings.opensearch_index)
    except _backend_errors() as exc:
        raise _fail(f"migrating {label} failed: {exc}") from None
    finally:
        client.close()
    if written:
        Console().print(f"{label}: {written} article(s) upgraded to the current schema.")
    else:
        Console().print(f"{label} already has the current schema.")
