"""Channel webhooks on Lambda behind an HTTP API, filling the SQS queue the service consumes.

The function (the `webhooks` target of `deploy/compute.Dockerfile`) verifies each provider's
signature and sends the normalised message to a FIFO queue (ordered per sender, SQS dedup by
provider message id); the service long-polls it. A message not taken after
`MAX_RECEIVES` deliveries moves to the dead-letter queue, whose alarm mails the operators.
"""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from deploy.service import REPO_ROOT

COMPUTE_DOCKERFILE = "deploy/compute.Dockerfile"
MAX_RECEIVES = 5
"""Deliveries of a message before SQS moves it to the dead-letter queue."""
ROUTES = (
    ("/v1/channels/whatsapp/webhook", (apigw.HttpMethod.GET, apigw.HttpMethod.POST)),
    ("/v1/channels/sms/webhook", (apigw.HttpMethod.POST,)),
    ("/v1/channels/email/sns", (apigw.HttpMethod.POST,)),
)
"""The server's webhook paths: providers can be pointed at either."""
SEND_ACTIONS = ["sqs:SendMessage"]
CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
OPT_OUT_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "latency": "$context.integrationLatency",
    "error": "$context.integrationErrorMessage",
}


class ChannelWebhooks(Construct):
    """HTTP API, webhook function, inbound FIFO queue, dead-letter queue and its alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        server_table: dynamodb.ITableV2,
        alarm_topic: sns.ITopic,
        secret_arn: str = "",
    ) -> None:
        """`secret_arn`: the Secrets Manager secret holding the channels' credentials."""
        super().__init__(scope, construct_id)
        self.dead_letters, self.queue = self._queues(key)
        self.role = self._role(key, server_table, secret_arn)
        environment = {
            "TANDEM_INBOUND_QUEUE_URL": self.queue.queue_url,
            "TANDEM_AWS_REGION": Stack.of(self).region,
            "TANDEM_SERVER_STORE_BACKEND": "dynamodb",
            "TANDEM_SERVER_TABLE": server_table.table_name,
            "TANDEM_DATA_DIR": "/tmp/tandem",  # Lambda's only writable folder
        }
        if secret_arn:
            environment["TANDEM_WEBHOOK_SECRETS_ARN"] = secret_arn
        self.function = lambda_.DockerImageFunction(
            self,
            "Function",
            code=lambda_.DockerImageCode.from_image_asset(
                str(REPO_ROOT), file=COMPUTE_DOCKERFILE, target="webhooks"
            ),
            role=self.role,
            memory_size=1024,
            timeout=Duration.seconds(20),
            tracing=lambda_.Tracing.ACTIVE,
            environment_encryption=key,
            environment=environment,
            description="Verifies channel webhooks and queues the messages for the service",
        )
        self.api = apigw.HttpApi(
            self, "Api", description="Channel webhooks (WhatsApp, SMS, SES over SNS)"
        )
        integration = integrations.HttpLambdaIntegration("Webhooks", self.function)
        for path, methods in ROUTES:
            self.api.add_routes(path=path, methods=list(methods), integration=integration)
        self._access_logs(key)
        self.alarm = self._dead_letter_alarm(alarm_topic)

    def _queues(self, key: kms.IKey) -> tuple[sqs.Queue, sqs.Queue]:
        """The dead-letter queue and the inbound queue redriving into it (FIFO, KMS, TLS)."""
        secure = {
            "fifo": True,
            "encryption": sqs.QueueEncryption.KMS,
            "encryption_master_key": key,
            "enforce_ssl": True,
        }
        dead_letters = sqs.Queue(self, "DeadLetters", retention_period=Duration.days(14), **secure)
        inbound = sqs.Queue(
            self,
            "Inbound",
            visibility_timeout=Duration.minutes(3),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=MAX_RECEIVES, queue=dead_letters
            ),
            **secure,
        )
        return dead_letters, inbound

    def _role(self, key: kms.IKey, server_table: dynamodb.ITableV2, secret_arn: str) -> iam.Role:
        """The function's role: send to the queue, use the key, SMS opt-outs, its secret."""
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Tandem channel webhooks: queue inbound messages, SMS opt-outs",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaBasicExecutionRole"
                )
            ],
        )
        statements = [
            (SEND_ACTIONS, self.queue.queue_arn),
            (["kms:GenerateDataKey", "kms:Decrypt"], key.key_arn),
            (OPT_OUT_ACTIONS, server_table.table_arn),
        ]
        if secret_arn:
            statements.append((["secretsmanager:GetSecretValue"], secret_arn))
        for actions_, resource in statements:
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=actions_, resources=[resource])
            )
        return role

    def _dead_letter_alarm(self, alarm_topic: sns.ITopic) -> cloudwatch.Alarm:
        """An alarm as soon as one message is in the dead-letter queue."""
        alarm = cloudwatch.Alarm(
            self,
            "DeadLetterAlarm",
            alarm_description="Inbound channel messages could not be taken (dead-letter queue)",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(alarm_topic))
        return alarm

    def _access_logs(self, key: kms.IKey) -> None:
        """JSON access logs and a throttle on the API's default stage."""
        log_group = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.THREE_MONTHS,
            encryption_key=key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        cfn = self.api.default_stage.node.default_child if self.api.default_stage else None
        if not isinstance(cfn, apigw.CfnStage):
            raise TypeError("the HTTP API has no default stage to configure")
        cfn.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=log_group.log_group_arn, format=json.dumps(ACCESS_LOG_FORMAT)
        )
        cfn.default_route_settings = apigw.CfnStage.RouteSettingsProperty(
            throttling_burst_limit=200, throttling_rate_limit=100
        )

    def grant_consume(self, role: iam.IRole) -> None:
        """Let the service take messages from the queue (its role already decrypts the key)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=CONSUME_ACTIONS, resources=[self.queue.queue_arn])
        )
