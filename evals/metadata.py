"""What produced a run: code revision, prompt versions, catalogue, model and settings.

Two runs can only be compared meaningfully when it is known exactly what differed, so
every run records the git commit (and whether the tree had local changes), each prompt
template's version and content hash, the intent catalogue's fingerprint, the model ids,
and a snapshot of the settings.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from config.settings import Settings
from prompts import templates
from prompts.catalogue import IntentCatalogue
from prompts.templates import available_versions, template_names

REPO_ROOT = Path(__file__).resolve().parents[1]
_SECRET_WORDS = ("secret", "password", "api_key", "access_key", "private")


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def code_revision() -> dict[str, Any]:
    """The git commit, whether the tree has uncommitted changes, and a hash of those changes.

    Falls back to `"unknown"` outside a git checkout or without git.
    """
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": "unknown", "dirty": None, "diff_sha256": None}
    status = _git("status", "--porcelain", "--untracked-files=no") or ""
    diff = _git("diff", "HEAD") if status else ""
    return {
        "commit": commit,
        "short": commit[:10],
        "dirty": bool(status),
        "diff_sha256": hashlib.sha256(diff.encode()).hexdigest() if diff else None,
    }


def parse_prompt_versions(spec: str | None) -> dict[str, int]:
    """Resolve `--prompts`: `"2"` (each template's newest version ≤ 2) or `"name=2,..."`.

    Raises `ValueError` for a version no template has, or an unknown template name.
    """
    if not spec:
        return {}
    names = template_names()
    if "=" not in spec:
        try:
            wanted = int(spec.lstrip("v"))
        except ValueError as error:
            raise ValueError(f"--prompts: {spec!r} is not a version number") from error
        if not any(wanted in available_versions(name) for name in names):
            raise ValueError(f"--prompts: no prompt template has version {wanted}")
        pinned: dict[str, int] = {}
        for name in names:
            versions = [v for v in available_versions(name) if v <= wanted]
            if versions:
                pinned[name] = versions[-1]
        return pinned
    pinned = {}
    for part in spec.split(","):
        name, _, version = part.partition("=")
        name = name.strip()
        if name not in names:
            raise ValueError(f"--prompts: unknown template {name!r} (known: {', '.join(names)})")
        try:
            number = int(version.strip().lstrip("v"))
        except ValueError as error:
            raise ValueError(f"--prompts: {part!r} needs NAME=VERSION") from error
        if number not in available_versions(name):
            raise ValueError(f"--prompts: {name} has no version {number}")
        pinned[name] = number
    return pinned


def prompt_versions(pinned: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Every template's version in force for the run and the sha256 of its text."""
    resolved: dict[str, dict[str, Any]] = {}
    for name in template_names():
        version = pinned.get(name, available_versions(name)[-1])
        path = templates.TEMPLATE_DIR / f"{name}.v{version}.md"
        resolved[name] = {
            "version": version,
            "pinned": name in pinned,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    return resolved


def settings_snapshot(settings: Settings) -> dict[str, Any]:
    """The settings as JSON, with anything that looks like a secret left out."""
    data = settings.model_dump(mode="json")
    return {
        key: value
        for key, value in data.items()
        if not any(word in key.lower() for word in _SECRET_WORDS)
    }


def _version(package: str) -> str | None:
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return None


def run_metadata(
    settings: Settings,
    catalogue: IntentCatalogue,
    pinned: dict[str, int],
    models: dict[str, str | None],
    options: dict[str, Any],
) -> dict[str, Any]:
    """Everything needed to reproduce (or explain) a run."""
    return {
        "code": code_revision(),
        "prompts": prompt_versions(pinned),
        "catalogue": {"fingerprint": catalogue.fingerprint, "intents": len(catalogue.intents)},
        "models": models,
        "settings": settings_snapshot(settings),
        "options": options,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "packages": {
                name: _version(name)
                for name in ("langgraph", "langchain-core", "langchain-aws", "scikit-learn")
            },
        },
    }
