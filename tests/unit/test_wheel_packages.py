"""The wheel ships every first-party package its own modules import (nothing is built here).

`tandem eval benchmarks` imports `bench`; a package missing from
`[tool.hatch.build.targets.wheel] packages` works in the repository and fails once installed.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _wheel_packages() -> list[str]:
    return list(_pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])


def _first_party() -> set[str]:
    """Top-level importable names of the repository: packages and root modules."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    return packages | {p.stem for p in ROOT.glob("*.py")}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_wheel_package_exists() -> None:
    for package in _wheel_packages():
        assert (ROOT / package / "__init__.py").is_file(), f"{package} is not a package"


def test_shipped_modules_import_only_shipped_first_party_packages() -> None:
    shipped = set(_wheel_packages())
    first_party = _first_party()
    unshipped: dict[str, set[str]] = {}
    for package in sorted(shipped):
        for path in sorted((ROOT / package).rglob("*.py")):
            missing = (_imported_top_levels(path) & first_party) - shipped
            if missing:
                unshipped[str(path.relative_to(ROOT))] = missing
    assert not unshipped, f"imported but not in the wheel's packages: {unshipped}"


def test_mypy_checks_what_the_wheel_ships() -> None:
    assert sorted(_pyproject()["tool"]["mypy"]["packages"]) == sorted(_wheel_packages())


def test_the_check_catches_a_missing_package(tmp_path: Path) -> None:
    module = tmp_path / "adapter.py"
    module.write_text(
        "from bench.kb_retrieval import run\n"
        "import evals.benchmarks\n"
        "def f():\n    from tests.fakes import x\n    from . import sibling\n"
    )
    assert _imported_top_levels(module) == {"bench", "evals", "tests"}
