"""The Tandem stack: every part the service needs, wired to the settings it reads."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from constructs import Construct

from config.settings import Settings
from deploy.cache import FanoutCache
from deploy.data import DataStores
from deploy.edge import Edge
from deploy.identity import Identity
from deploy.monitoring import Monitoring
from deploy.network import Network
from deploy.options import StackOptions
from deploy.permissions import server_statements
from deploy.search import SearchDomain
from deploy.service import ORIGIN_HEADER, Service
from deploy.understanding import UnderstandingEndpoint
from deploy.webhooks import ChannelWebhooks

KEEP_ALIVE_MARGIN_SECONDS = 15
"""The server keeps idle connections this much longer than the load balancer."""


class TandemStack(Stack):
    """Network, data, search, fan-out, identity, the service, the edge and the alarms."""

    def __init__(
        self, scope: Construct, construct_id: str, options: StackOptions, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        defaults = Settings(_env_file=None)  # type: ignore[call-arg]
        self.network = network = Network(self, "Network")
        self.data = DataStores(self, "Data", defaults)
        self.search = SearchDomain(self, "Search", network.vpc, self.data.key)
        self.cache = FanoutCache(self, "Cache", network.vpc, self.data.key)
        # The server's logs, and the metrics the collector scrapes from it (as EMF events).
        log_group, metrics_log_group = (
            logs.LogGroup(
                self,
                name,
                retention=logs.RetentionDays.THREE_MONTHS,
                encryption_key=self.data.key,
                removal_policy=RemovalPolicy.RETAIN,
            )
            for name in ("ServerLogs", "MetricLogs")
        )
        # The hosted login returns to the distribution, which is created after the service.
        placeholder: dict[str, str] = {}
        self.service = Service(
            self,
            "Service",
            vpc=network.vpc,
            options=options,
            environment=placeholder,
            statements=server_statements(
                self.data, self.search.domain, defaults.opensearch_index, metrics_log_group
            ),
            log_bucket=self.data.log_bucket,
            log_group=log_group,
            metrics_log_group=metrics_log_group,
        )
        self.search.allow_from(self.service.security_group)
        self.cache.allow_from(self.service.security_group)
        self.edge = Edge(
            self,
            "Edge",
            load_balancer=self.service.load_balancer,
            log_bucket=self.data.log_bucket,
            web_acl_arn=options.web_acl_arn,
            origin_header=(ORIGIN_HEADER, self.service.origin_token),
        )
        origins = [self.edge.origin_url, *options.extra_callback_origins]
        self.identity = Identity(self, "Identity", origins, options.auth_domain_prefix)
        self.server_settings = self.server_environment(defaults, options)
        for name, value in self.server_settings.items():
            self.service.container.add_environment(name, value)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            load_balancer=self.service.load_balancer,
            target_group=self.service.target_group,
            service=self.service.fargate,
            tables=self.data.tables,
            log_group=log_group,
            key=self.data.key,
            alarm_email=options.alarm_email,
        )
        self.webhooks, self.understanding = self._compute(options)
        CfnOutput(self, "Url", value=self.edge.origin_url, description="Web apps and API")
        CfnOutput(self, "UserPoolId", value=self.identity.user_pool.user_pool_id)
        CfnOutput(self, "HostedLogin", value=self.identity.domain.base_url())

    def _compute(
        self, options: StackOptions
    ) -> tuple[ChannelWebhooks, UnderstandingEndpoint | None]:
        """The webhook functions and their queue, and the optional SageMaker endpoint."""
        webhooks = ChannelWebhooks(
            self,
            "Webhooks",
            key=self.data.key,
            server_table=self.data.tables["server"],
            alarm_topic=self.monitoring.topic,
            secret_arn=options.webhook_secret_arn,
        )
        webhooks.grant_consume(self.service.task_role)
        self.service.container.add_environment("TANDEM_INBOUND_QUEUE_URL", webhooks.queue.queue_url)
        CfnOutput(self, "WebhooksUrl", value=webhooks.api.api_endpoint)
        if not options.understanding_endpoint:
            return webhooks, None
        understanding = UnderstandingEndpoint(
            self,
            "Understanding",
            key=self.data.key,
            instance_type=options.understanding_instance_type,
        )
        understanding.grant_invoke(self.service.task_role)
        self.service.container.add_environment(
            "TANDEM_UNDERSTANDING_ENDPOINT", understanding.endpoint.attr_endpoint_name
        )
        return webhooks, understanding

    def server_environment(self, defaults: Settings, options: StackOptions) -> dict[str, str]:
        """The settings the container runs with: every backend on its AWS service.

        Traces go to the OpenTelemetry collector beside the server, domain events to the bus.
        """
        tables = {d.setting: d.name for d in self.data.definitions.values()}
        return {
            **tables,
            "TANDEM_AWS_REGION": self.region,
            "TANDEM_CHECKPOINTER": "dynamodb",
            "TANDEM_OFFLOAD_BUCKET": self.data.offload_bucket.bucket_name,
            # Customers' attachments under attachments/ of the same private, encrypted bucket.
            "TANDEM_ATTACHMENT_BUCKET": self.data.offload_bucket.bucket_name,
            "TANDEM_STORE_BACKEND": "dynamodb",
            "TANDEM_SERVER_STORE_BACKEND": "dynamodb",
            "TANDEM_SNS_TOPIC_ARN": self.data.topic.topic_arn,
            "TANDEM_LEASE_BACKEND": "dynamodb",
            "TANDEM_ORDERS_BACKEND": "dynamodb",
            "TANDEM_KB_BACKEND": "opensearch",
            "TANDEM_OPENSEARCH_URL": f"https://{self.search.domain.domain_endpoint}",
            "TANDEM_OPENSEARCH_INDEX": defaults.opensearch_index,
            "TANDEM_EMBEDDER": "titan",
            "TANDEM_SENTIMENT_BACKEND": "comprehend",
            "TANDEM_PII_BACKEND": "comprehend",
            "TANDEM_MODEL": options.model,
            "TANDEM_REDIS_URL": self.cache.url,
            "TANDEM_AUTH_MODE": "cognito",
            "TANDEM_AUTH_ISSUER": self.identity.issuer,
            "TANDEM_AUTH_CLIENT_IDS": json.dumps([self.identity.client.user_pool_client_id]),
            "TANDEM_AUTH_HOSTED_UI_DOMAIN": self.identity.domain.base_url(),
            "TANDEM_KEEP_ALIVE_SECONDS": str(
                options.alb_idle_timeout_seconds + KEEP_ALIVE_MARGIN_SECONDS
            ),
            "TANDEM_GRAPHQL_INTROSPECTION": "false",
            "TANDEM_EVENTS_BACKEND": "eventbridge",
            "TANDEM_EVENTBRIDGE_BUS": self.data.bus.event_bus_name,
            # Traces to the collector beside the server, which sends them on to X-Ray.
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
            "OTEL_SERVICE_NAME": "tandem",
        }
