"""The task role's permissions: exactly what the README's IAM section lists for the server."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from deploy.data import DataStores

TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
]
SCANNED_TABLES = ("memory",)
"""Tables the server also scans (the memory store lists namespaces with Scan)."""
BUCKET_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"]
COMPREHEND_ACTIONS = ["comprehend:DetectSentiment", "comprehend:DetectPiiEntities"]
BEDROCK_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
SEARCH_ACTIONS = ["es:ESHttpGet", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
TRACE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
METRIC_LOG_ACTIONS = ["logs:PutLogEvents", "logs:CreateLogStream", "logs:DescribeLogStreams"]
MAIL_ACTIONS = ["ses:SendRawEmail"]
VOICE_ACTIONS = ["transcribe:StartStreamTranscription", "polly:SynthesizeSpeech"]
MOBILE_PUSH_ACTIONS = ["sns:CreatePlatformEndpoint", "sns:Publish", "sns:DeleteEndpoint"]


def server_statements(
    data: DataStores, domain: opensearch.IDomain, index: str, metrics_log_group: logs.ILogGroup
) -> list[iam.PolicyStatement]:
    """The statements of the server's task role."""
    region = Stack.of(domain).region
    tables = list(data.tables.values())
    table_resources = [arn for t in tables for arn in (t.table_arn, f"{t.table_arn}/index/*")]
    bucket: s3.IBucket = data.offload_bucket
    topic: sns.ITopic = data.topic
    key: kms.IKey = data.key
    return [
        iam.PolicyStatement(actions=TABLE_ACTIONS, resources=table_resources),
        iam.PolicyStatement(
            actions=["dynamodb:Scan"],
            resources=[data.tables[role].table_arn for role in SCANNED_TABLES],
        ),
        iam.PolicyStatement(actions=BUCKET_ACTIONS, resources=[bucket.arn_for_objects("*")]),
        iam.PolicyStatement(actions=["sns:Publish"], resources=[topic.topic_arn]),
        iam.PolicyStatement(actions=["events:PutEvents"], resources=[data.bus.event_bus_arn]),
        iam.PolicyStatement(actions=KEY_ACTIONS, resources=[key.key_arn]),
        # Comprehend's detection APIs have no resource to scope to.
        iam.PolicyStatement(actions=COMPREHEND_ACTIONS, resources=["*"]),
        iam.PolicyStatement(
            actions=BEDROCK_ACTIONS,
            resources=[
                f"arn:aws:bedrock:{region}::foundation-model/*",
                f"arn:aws:bedrock:{region}:{Stack.of(domain).account}:inference-profile/*",
            ],
        ),
        iam.PolicyStatement(
            actions=SEARCH_ACTIONS,
            resources=[f"{domain.domain_arn}/{index}", f"{domain.domain_arn}/{index}/*"],
        ),
        # X-Ray's trace APIs, streaming transcription and speech synthesis have no resource
        # to scope to.
        iam.PolicyStatement(actions=TRACE_ACTIONS + VOICE_ACTIONS, resources=["*"]),
        # Email replies from the account's verified SES identities (the channel's address).
        iam.PolicyStatement(
            actions=MAIL_ACTIONS,
            resources=[f"arn:aws:ses:{region}:{Stack.of(domain).account}:identity/*"],
        ),
        # Mobile push (TANDEM_PUSH_PROVIDER=sns): endpoints of the account's platform apps.
        iam.PolicyStatement(
            actions=MOBILE_PUSH_ACTIONS,
            resources=[
                f"arn:aws:sns:{region}:{Stack.of(domain).account}:app/*",
                f"arn:aws:sns:{region}:{Stack.of(domain).account}:endpoint/*",
            ],
        ),
        # The collector writes the scraped metrics as EMF log events to their log group.
        iam.PolicyStatement(
            actions=METRIC_LOG_ACTIONS, resources=[metrics_log_group.log_group_arn]
        ),
    ]
