"""Synthesize the CDK app once for a test module: template, stack and cdk-nag report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from deploy.app import build


def synthesize(outdir: Path, context: dict[str, str] | None = None) -> dict[str, Any]:
    """Synthesize the app with `context` into `outdir` (it takes a minute)."""
    app, stack = build(cdk.App(outdir=str(outdir), context=context), region="us-east-1")
    app.synth()
    report = json.loads((outdir / "validation-report.json").read_text())
    return {"template": Template.from_stack(stack), "stack": stack, "report": report}
