"""The server on ECS Fargate behind an Application Load Balancer, scaled on load."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.options import StackOptions

REPO_ROOT = Path(__file__).resolve().parent.parent
PORT = 8000
COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
"""The AWS Distro for OpenTelemetry collector: OTLP from the server, traces on to X-Ray."""
COLLECTOR_CONFIG = """
receivers:
  otlp:
    protocols:
      http: {{endpoint: "127.0.0.1:4318"}}
  prometheus:
    config:
      scrape_configs:
        - job_name: tandem
          scrape_interval: 30s
          metrics_path: /metrics
          static_configs: [{{targets: ["127.0.0.1:{port}"]}}]
processors:
  batch: {{}}
exporters:
  awsxray: {{}}
  awsemf:
    namespace: Tandem
    log_group_name: "{log_group}"
    dimension_rollup_option: NoDimensionRollup
service:
  pipelines:
    traces: {{receivers: [otlp], processors: [batch], exporters: [awsxray]}}
    metrics: {{receivers: [prometheus], processors: [batch], exporters: [awsemf]}}
"""
"""The collector's configuration (`AOT_CONFIG_CONTENT`): the server's OTLP traces to X-Ray, its
Prometheus `/metrics` (readable from loopback) scraped into CloudWatch metrics (EMF)."""
ORIGIN_HEADER = "X-Tandem-Origin"
"""The header CloudFront adds; the load balancer forwards only requests carrying it."""
HEALTH_COMMAND = (
    'python -c "import urllib.request; '
    f"urllib.request.urlopen('http://127.0.0.1:{PORT}/healthz', timeout=2)\""
)


class Service(Construct):
    """Cluster, task (server + OpenTelemetry collector), Fargate service, ALB and autoscaling."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        options: StackOptions,
        environment: dict[str, str],
        statements: list[iam.PolicyStatement],
        log_bucket: s3.IBucket,
        log_group: logs.ILogGroup,
        metrics_log_group: logs.ILogGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.task_role = iam.Role(
            self,
            "TaskRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="Tandem server: the permissions the README lists",
        )
        for statement in statements:
            self.task_role.add_to_principal_policy(statement)
        cluster = ecs.Cluster(
            self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENHANCED
        )
        task = ecs.FargateTaskDefinition(
            self,
            "Task",
            cpu=options.cpu,
            memory_limit_mib=options.memory_mib,
            task_role=self.task_role,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        self.container = task.add_container(
            "server",
            image=ecs.ContainerImage.from_asset(str(REPO_ROOT)),
            environment=environment,
            logging=ecs.LogDrivers.aws_logs(stream_prefix="server", log_group=log_group),
            port_mappings=[ecs.PortMapping(container_port=PORT)],
            health_check=ecs.HealthCheck(
                command=["CMD-SHELL", HEALTH_COMMAND],
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                start_period=Duration.seconds(60),
            ),
            readonly_root_filesystem=False,
            user="10001",
        )
        task.add_container(
            "otel-collector",
            image=ecs.ContainerImage.from_registry(COLLECTOR_IMAGE),
            environment={
                "AOT_CONFIG_CONTENT": COLLECTOR_CONFIG.format(
                    port=PORT, log_group=metrics_log_group.log_group_name
                )
            },
            essential=False,
            cpu=64,
            memory_reservation_mib=128,
            logging=ecs.LogDrivers.aws_logs(stream_prefix="otel", log_group=log_group),
            port_mappings=[ecs.PortMapping(container_port=4318)],
            user="1337",
        )
        self.security_group = ec2.SecurityGroup(
            self, "Sg", vpc=vpc, description="Tandem server tasks"
        )
        self.fargate = ecs.FargateService(
            self,
            "Fargate",
            cluster=cluster,
            task_definition=task,
            desired_count=options.min_tasks,
            security_groups=[self.security_group],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
        )
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=True,
            idle_timeout=Duration.seconds(options.alb_idle_timeout_seconds),
            drop_invalid_header_fields=True,
        )
        self.load_balancer.log_access_logs(log_bucket, prefix="alb")
        # Not a secret from the account, but unknown outside it: the stack id's UUID.
        self.origin_token = Fn.select(2, Fn.split("/", Stack.of(self).stack_id))
        listener = self.load_balancer.add_listener(
            "Http",
            port=80,
            open=True,
            default_action=elbv2.ListenerAction.fixed_response(
                403, content_type="text/plain", message_body="Use the CloudFront address."
            ),
        )
        self.target_group = listener.add_targets(
            "Server",
            priority=1,
            conditions=[elbv2.ListenerCondition.http_header(ORIGIN_HEADER, [self.origin_token])],
            port=PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[self.fargate],
            health_check=elbv2.HealthCheck(
                path="/readyz", interval=Duration.seconds(15), healthy_threshold_count=2
            ),
            deregistration_delay=Duration.seconds(30),
        )
        scaling = self.fargate.auto_scale_task_count(
            min_capacity=options.min_tasks, max_capacity=options.max_tasks
        )
        scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
        scaling.scale_on_request_count(
            "Requests", requests_per_target=500, target_group=self.target_group
        )
