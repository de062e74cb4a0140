"""What a deployment can choose, read from CDK context (`cdk deploy -c name=value`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from constructs import Node

DEFAULT_MODEL = "bedrock_converse:anthropic.claude-3-5-sonnet-20240620-v1:0"


@dataclass(frozen=True)
class StackOptions:
    """Deployment choices; every one has a working default."""

    model: str = DEFAULT_MODEL
    """`TANDEM_MODEL` of the service (empty: the deterministic drafter, no Bedrock calls)."""
    auth_domain_prefix: str = "tandem-support"
    """Prefix of the Cognito hosted login domain (unique within the region)."""
    extra_callback_origins: tuple[str, ...] = field(default_factory=tuple)
    """More origins (e.g. https://support.example.com) the hosted login may return to."""
    min_tasks: int = 2
    max_tasks: int = 10
    cpu: int = 1024
    memory_mib: int = 2048
    alb_idle_timeout_seconds: int = 60
    """The load balancer's idle timeout; the server keeps connections alive longer."""
    web_acl_arn: str = ""
    """An existing CLOUDFRONT-scope WAF web ACL; empty: the stack creates one (us-east-1)."""
    alarm_email: str = ""
    """Where alarms are mailed (empty: they go to the alarm topic only)."""
    webhook_secret_arn: str = ""
    """Secrets Manager secret of the channels' `TANDEM_*` credentials for the webhook function."""
    understanding_endpoint: int = 0
    """1: serve the intent and sentiment engines from a SageMaker endpoint as well."""
    understanding_instance_type: str = "ml.c5.large"
    """The SageMaker endpoint's instance type."""

    @classmethod
    def from_context(cls, node: Node) -> StackOptions:
        """Options from the CDK context; kebab-case or camelCase names both work."""
        values: dict[str, Any] = {}
        for option in fields(cls):
            camel = "".join(
                part.capitalize() if i else part for i, part in enumerate(option.name.split("_"))
            )
            raw = node.try_get_context(camel)
            if raw is None:
                raw = node.try_get_context(option.name.replace("_", "-"))
            if raw is None:
                continue
            if option.name == "extra_callback_origins":
                raw = tuple(o for o in str(raw).split(",") if o) if isinstance(raw, str) else raw
                values[option.name] = tuple(raw)
            elif option.type in ("int", int):
                values[option.name] = int(raw)
            else:
                values[option.name] = str(raw)
        return cls(**values)
