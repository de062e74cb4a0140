"""Saved runs: `<data_dir>/evals/runs/<run-id>/{results.json,report.md,report.html}`."""

from __future__ import annotations

from pathlib import Path

from evals.html_report import render_html
from evals.records import RunResult
from evals.report import render_markdown

RESULTS = "results.json"


class RunNotFound(LookupError):
    """No saved run matches the reference given."""


def default_runs_dir(data_dir: Path) -> Path:
    """Where runs are saved: `<data_dir>/evals/runs`."""
    return data_dir / "evals" / "runs"


def save_run(run: RunResult, runs_dir: Path) -> Path:
    """Write the run's JSON and both reports; return the run's folder."""
    folder = runs_dir / run.run_id
    folder.mkdir(parents=True, exist_ok=True)
    run.save(folder / RESULTS)
    (folder / "report.md").write_text(render_markdown(run), encoding="utf-8")
    (folder / "report.html").write_text(render_html(run), encoding="utf-8")
    return folder


def list_runs(runs_dir: Path) -> list[Path]:
    """Every saved run's folder, oldest first (run ids sort by time)."""
    if not runs_dir.is_dir():
        return []
    return sorted(p for p in runs_dir.iterdir() if (p / RESULTS).is_file())


def find_run(reference: str, runs_dir: Path) -> Path:
    """Resolve a run reference to its `results.json`.

    Accepts a path to `results.json` or to a run folder, a run id, a unique prefix or
    suffix of one, or `latest` / `latest~N` (the N-th run before the latest).
    """
    path = Path(reference).expanduser()
    if path.is_file():
        return path
    if (path / RESULTS).is_file():
        return path / RESULTS
    runs = list_runs(runs_dir)
    if reference == "latest" or reference.startswith("latest~"):
        back = int(reference.partition("~")[2] or 0) if reference != "latest" else 0
        if back < len(runs):
            return runs[-1 - back] / RESULTS
        raise RunNotFound(f"there are only {len(runs)} saved run(s) in {runs_dir}")
    matches = [r for r in runs if r.name == reference]
    if not matches:
        matches = [r for r in runs if r.name.startswith(reference) or r.name.endswith(reference)]
    if len(matches) == 1:
        return matches[0] / RESULTS
    if len(matches) > 1:
        names = ", ".join(m.name for m in matches[:5])
        raise RunNotFound(f"run reference {reference!r} is ambiguous: {names}")
    raise RunNotFound(f"no saved run {reference!r} (looked in {runs_dir})")


def load_run(reference: str, runs_dir: Path) -> RunResult:
    """Load the run a reference points to (see :func:`find_run`)."""
    path = find_run(reference, runs_dir)
    try:
        return RunResult.load(path)
    except ValueError as error:
        raise RunNotFound(f"{path} is not a readable run: {error}") from error
