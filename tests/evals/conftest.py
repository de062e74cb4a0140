"""Fixtures for the evaluation tests: eval backends built from the session's shared ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from evals.backends import EvalBackends
from evals.loader import LoadedSuite, parse_suite


@pytest.fixture(scope="session")
def eval_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("eval-data"), model="", checkpointer="memory")


@pytest.fixture(scope="session")
def eval_backends(shared_backends: dict[str, Any], eval_settings: Settings) -> EvalBackends:
    return EvalBackends(
        orders=shared_backends["orders"],
        kb=shared_backends["kb"],
        classifier=shared_backends["classifier"],
        catalogue=shared_backends["catalogue"],
        settings=eval_settings,
    )


def make_suite(text: str, name: str = "inline.yaml") -> LoadedSuite:
    """A suite parsed from YAML text."""
    path = Path(name)
    return LoadedSuite(parse_suite(text.encode(), path), path, "0" * 64)
