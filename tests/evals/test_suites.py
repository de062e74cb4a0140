"""The suite format and loader, and the suites shipped in evals/suites/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.loader import SuiteError, load_suite, suite_paths
from evals.schema import CONSEQUENTIAL_TOOLS
from tests.evals.conftest import make_suite


def test_shipped_suites_validate_and_hold_at_least_sixty_cases():
    names = suite_paths()
    assert {"smoke", "orders", "knowledge"} <= set(names)
    total = 0
    for name in names:
        loaded = load_suite(name)
        assert loaded.suite.name == name
        assert len(loaded.sha256) == 64
        total += len(loaded.suite.cases)
    assert total >= 60
    assert load_suite("smoke").suite.mode == "offline"
    assert load_suite("orders").suite.tasks, "the orders suite carries simulated-customer tasks"


def test_shipped_suites_only_name_known_intents_and_tools(shared_backends):
    catalogue = shared_backends["catalogue"]
    known_tools = {
        *CONSEQUENTIAL_TOOLS, "get_order_details", "get_user_details", "list_user_orders",
        "get_product_details", "search_knowledge_base",
    }  # fmt: skip
    for name in suite_paths():
        suite = load_suite(name).suite
        for case in suite.cases:
            for turn in case.turns:
                if turn.expect.intent:
                    assert turn.expect.intent in catalogue, (case.id, turn.expect.intent)
                for tool in turn.expect.tools or []:
                    assert tool.name in known_tools, (case.id, tool.name)
            for action in case.expect.actions or []:
                assert action.name in CONSEQUENTIAL_TOOLS, (case.id, action.name)


def test_unknown_suite_lists_the_available_ones():
    with pytest.raises(SuiteError, match=r"unknown suite 'nope' \(available: .*smoke"):
        load_suite("nope")


def test_case_customer_defaults_to_the_suite_and_null_means_anonymous():
    loaded = make_suite(
        """
name: mini
version: 2
defaults: {customer: sam_lee_2002}
cases:
  - id: a
    turns: [{say: hi}]
  - id: b
    customer: null
    turns: [{say: hi}]
"""
    )
    suite = loaded.suite
    assert suite.customer_of(suite.cases[0]) == "sam_lee_2002"
    assert suite.customer_of(suite.cases[1]) is None


def test_invalid_suites_are_reported_with_the_field():
    with pytest.raises(SuiteError, match=r"cases.0.turns.0.expect.intnet"):
        make_suite(
            "name: bad\nversion: 1\ncases: [{id: x, turns: [{say: hi, expect: {intnet: a}}]}]"
        )
    with pytest.raises(SuiteError, match="duplicate case id"):
        make_suite(
            "name: bad\nversion: 1\ncases: [{id: x, turns: [{say: a}]}, {id: x, turns: [{say: b}]}]"
        )
    with pytest.raises(SuiteError, match="invalid YAML"):
        make_suite("name: [unclosed")


def test_jsonl_suites(tmp_path: Path):
    path = tmp_path / "lines.jsonl"
    rows = [
        {"suite": {"version": 3, "description": "from lines"}},
        {"id": "one", "turns": [{"say": "hello", "expect": {"intent": "greeting"}}]},
        {"task": {"id": "t", "instruction": "cancel", "actions": []}},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    suite = load_suite(path).suite
    assert (suite.name, suite.version, len(suite.cases), len(suite.tasks)) == ("lines", 3, 1, 1)
    path.write_text("{not json}\n")
    with pytest.raises(SuiteError, match="line 1: invalid JSON"):
        load_suite(path)
