"""The CDK app: `cd deploy && npx aws-cdk deploy` (or `make deploy`) runs this.

Choices come from CDK context (`-c model=... -c alarmEmail=...`, see deploy/options.py);
the account and region from the AWS CLI profile (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION).
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from deploy.nag import suppress_justified
from deploy.options import StackOptions
from deploy.stack import TandemStack


def build(app: cdk.App | None = None, region: str | None = None) -> tuple[cdk.App, TandemStack]:
    """The app with the Tandem stack, checked by cdk-nag's AwsSolutions rules."""
    app = app or cdk.App()
    # CDK's custom resource (the OpenSearch log-group policy) uses Lambda's bundled SDK.
    app.node.set_context("@aws-cdk/customresources:installLatestAwsSdkDefault", False)
    env = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=region or os.environ.get("CDK_DEFAULT_REGION") or "us-east-1",
    )
    stack = TandemStack(app, "Tandem", StackOptions.from_context(app.node), env=env)
    suppress_justified(stack)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


if __name__ == "__main__":
    build()[0].synth()
