"""Bootstrap steps whose provider is missing, or that do not apply, without AWS."""

from __future__ import annotations

import pytest

from cli.aws import _run_step
from cli.aws_steps import ProviderUnavailable, Step, bootstrap_steps, provider
from config.settings import Settings


def test_missing_provider_is_reported_not_raised() -> None:
    with pytest.raises(ProviderUnavailable, match=r"tools\.nowhere\.ensure_it is not available"):
        provider("tools.nowhere", "ensure_it")
    with pytest.raises(ProviderUnavailable, match=r"memory\.dynamodb\.no_such_function"):
        provider("memory.dynamodb", "no_such_function")

    def unavailable() -> None:
        provider("tools.nowhere", "ensure_it")

    step = Step("thing", exists=lambda: False, ensure=unavailable)
    assert _run_step(step, Settings(), create=True) == (
        "unavailable",
        "tools.nowhere.ensure_it is not available",
    )


def test_steps_cover_every_table_and_skip_what_is_not_configured() -> None:
    settings = Settings(offload_bucket=None, sns_topic_arn=None, kb_backend="sqlite")
    steps = bootstrap_steps(settings)
    names = [step.resource for step in steps]
    for table in (
        settings.checkpoint_table,
        settings.memory_table,
        settings.server_table,
        settings.lease_table,
        settings.orders_table,
    ):
        assert any(f"DynamoDB table {table} " in name for name in names)
    skipped = {step.resource.split()[0]: step.skipped for step in steps if step.skipped}
    assert skipped == {
        "S3": "offload_bucket is not set",
        "SNS": "sns_topic_arn is not set",
        "OpenSearch": "kb_backend is not opensearch",
    }
    assert all(_run_step(step, settings, create=True)[0] == "skipped" for step in steps[5:])
