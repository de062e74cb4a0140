"""Shared fixtures: embedded services on a temporary data folder and a compiled graph."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

# Unit tests must never reach a real AWS service, even by accident.
for _var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
    os.environ.pop(_var, None)
os.environ.pop("TANDEM_MODEL", None)

from config.settings import Settings  # noqa: E402
from graphs.services import Services  # noqa: E402
from graphs.support import compile_graph  # noqa: E402
from tests.integration.conftest import moto_endpoint  # noqa: E402, F401 (aws profile)
from tools.sentiment import VaderSentimentAnalyzer  # noqa: E402
from wiring.backends import chat_model_loader, turn_limits  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETS = REPO_ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def shared_backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Backends built once per run: a seeded order-store template, the demo help centre and
    the classifier trained from the catalogue. Tests get their own copy of the order store."""
    from prompts.catalogue import load_catalogue
    from tools.intent import IntentClassifier
    from tools.knowledge.demo import ensure_demo_kb
    from tools.orders.seed import ensure_seeded

    folder = tmp_path_factory.mktemp("shared-backends")
    catalogue = load_catalogue()
    return {
        "orders": ensure_seeded(folder / "orders.sqlite"),
        "kb": ensure_demo_kb(folder / "kb.sqlite", "demo"),
        "catalogue": catalogue,
        "classifier": IntentClassifier.load_or_train(catalogue, folder / "cache"),
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing every embedded store at a fresh temporary folder."""
    return Settings(data_dir=tmp_path / "data", model="", checkpointer="memory")


@pytest.fixture
def services(settings: Settings, shared_backends: dict[str, Any]) -> Services:
    """Embedded services with a private copy of the seeded order store."""
    return Services(
        orders=shared_backends["orders"].clone(),
        kb=shared_backends["kb"],
        sentiment=VaderSentimentAnalyzer(),
        classifier=shared_backends["classifier"],
        catalogue=shared_backends["catalogue"],
        limits=turn_limits(settings),
        load_model=chat_model_loader(settings),
    )


@pytest.fixture
def profile(request: pytest.FixtureRequest) -> str:
    """The deployment profile a graph test runs on: `embedded` unless parametrised."""
    return str(getattr(request, "param", "embedded"))


PROFILES = [
    "embedded",
    pytest.param("aws", marks=[pytest.mark.integration, pytest.mark.enable_socket]),
]
"""The profiles tests/scenarios run on: in memory, and DynamoDB checkpoints on moto_server."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every scenario test that uses the `graph` fixture on both profiles."""
    in_scenarios = Path(str(metafunc.definition.path)).parent.name == "scenarios"
    if in_scenarios and "graph" in metafunc.fixturenames:
        metafunc.parametrize("profile", PROFILES, indirect=True)


@pytest.fixture
def graph(services: Services, profile: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The support graph compiled with a fresh checkpointer: in memory (`embedded`), or
    for `aws` the DynamoDB checkpointer on a new table of the session's moto_server."""
    if profile == "embedded":
        yield compile_graph(services, InMemorySaver())
        return
    from tests.integration.dynamodb_profile import dynamodb_checkpointer_on

    with dynamodb_checkpointer_on(request.getfixturevalue("moto_endpoint")) as saver:
        yield compile_graph(services, saver)
