"""CloudWatch: a dashboard and alarms on errors, latency, capacity and model failures."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

NAMESPACE = "Tandem"
MODEL_FAILURE_PATTERN = '{ $.message = "model * failed*" }'
"""The server's JSON log lines when a model call fails and a fallback answers."""
LATENCY_P95_SECONDS = 3.0
FIVE_MINUTES = Duration.minutes(5)


class Monitoring(Construct):
    """Alarm topic, alarms and the operations dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        load_balancer: elbv2.ApplicationLoadBalancer,
        target_group: elbv2.ApplicationTargetGroup,
        service: ecs.FargateService,
        tables: dict[str, dynamodb.TableV2],
        log_group: logs.ILogGroup,
        key: kms.IKey,
        alarm_email: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", master_key=key, enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        lb_metrics = load_balancer.metrics
        tg_metrics = target_group.metrics
        server_5xx = tg_metrics.http_code_target(
            elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=FIVE_MINUTES, statistic="Sum"
        )
        lb_5xx = lb_metrics.http_code_elb(
            elbv2.HttpCodeElb.ELB_5XX_COUNT, period=FIVE_MINUTES, statistic="Sum"
        )
        latency = tg_metrics.target_response_time(period=FIVE_MINUTES, statistic="p95")
        unhealthy = tg_metrics.unhealthy_host_count(period=Duration.minutes(1), statistic="Max")
        requests = tg_metrics.request_count(period=FIVE_MINUTES, statistic="Sum")
        cpu = service.metric_cpu_utilization(period=FIVE_MINUTES)
        memory = service.metric_memory_utilization(period=FIVE_MINUTES)
        logs.MetricFilter(
            self,
            "ModelFailureFilter",
            log_group=log_group,
            filter_pattern=logs.FilterPattern.literal(MODEL_FAILURE_PATTERN),
            metric_namespace=NAMESPACE,
            metric_name="ModelFailures",
            metric_value="1",
            default_value=0,
        )
        model_failures = cloudwatch.Metric(
            namespace=NAMESPACE, metric_name="ModelFailures", period=FIVE_MINUTES, statistic="Sum"
        )
        throttles = [
            table.metric(kind, period=FIVE_MINUTES, statistic="Sum", label=f"{role} {kind}")
            for role, table in tables.items()
            for kind in ("ReadThrottleEvents", "WriteThrottleEvents")
        ]
        self.alarms = [
            self._alarm("Server5xx", server_5xx, 5, "the server answered 5xx"),
            self._alarm("LoadBalancer5xx", lb_5xx, 5, "the load balancer answered 5xx"),
            self._alarm("LatencyP95", latency, LATENCY_P95_SECONDS, "p95 response time (s)"),
            self._alarm("UnhealthyTasks", unhealthy, 1, "a task fails its readiness check", 2),
            self._alarm("Cpu", cpu, 85, "CPU stays high although the service scales", 3),
            self._alarm("ModelFailures", model_failures, 10, "model calls failing (fallbacks)"),
        ]
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name="Tandem")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Requests", left=[requests]),
            cloudwatch.GraphWidget(title="5xx", left=[server_5xx, lb_5xx]),
            cloudwatch.GraphWidget(title="Latency p95 (s)", left=[latency]),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Tasks: CPU and memory (%)", left=[cpu, memory]),
            cloudwatch.GraphWidget(title="Unhealthy tasks", left=[unhealthy]),
            cloudwatch.GraphWidget(title="Model failures", left=[model_failures]),
            cloudwatch.GraphWidget(title="DynamoDB throttles", left=throttles),
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24)
        )

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        periods: int = 1,
    ) -> cloudwatch.Alarm:
        alarm = metric.create_alarm(
            self,
            name,
            alarm_description=f"Tandem: {description}",
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        return alarm
