"""Where Tandem keeps its data: DynamoDB tables, the S3 offload bucket, SNS and EventBridge.

Everything is encrypted with one customer-managed KMS key; tables keep point-in-time
recovery and expire items on the attribute the code writes expiry times to.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from config.settings import Settings
from deploy.tables import TableDefinition, table_definitions

ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(definition: TableDefinition, name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=ATTRIBUTE_TYPES[definition.attribute_types[name]])


def _keys(definition: TableDefinition, key_schema: list[dict[str, str]]) -> dict[str, object]:
    keys: dict[str, object] = {}
    for key in key_schema:
        role = "partition_key" if key["KeyType"] == "HASH" else "sort_key"
        keys[role] = _attribute(definition, key["AttributeName"])
    return keys


class DataStores(Construct):
    """KMS key, the five tables, the offload and log buckets, the SNS topic, the event bus."""

    def __init__(self, scope: Construct, construct_id: str, settings: Settings) -> None:
        super().__init__(scope, construct_id)
        region = Stack.of(self).region
        self.key = kms.Key(self, "Key", enable_key_rotation=True, description="Tandem data at rest")
        # CloudWatch Logs encrypts the service's log groups with this key.
        self.key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{region}.amazonaws.com"))
        self.definitions = table_definitions(settings)
        self.tables = {role: self._table(d) for role, d in self.definitions.items()}
        self.log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.offload_bucket = s3.Bucket(
            self,
            "Offload",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            # An erasure deletes objects; the versions they leave behind go a day later.
            lifecycle_rules=[
                s3.LifecycleRule(
                    noncurrent_version_expiration=Duration.days(1),
                    expired_object_delete_marker=True,
                )
            ],
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="offload/",
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.topic = sns.Topic(
            self,
            "QueueEvents",
            display_name="Tandem queue events",
            master_key=self.key,
            enforce_ssl=True,
        )
        self.bus = events.EventBus(self, "Bus", event_bus_name="tandem")
        self.bus.archive(
            "Archive",
            event_pattern=events.EventPattern(source=events.Match.prefix("tandem")),
            retention=Duration.days(30),
        )

    def _table(self, definition: TableDefinition) -> dynamodb.TableV2:
        indexes = [
            dynamodb.GlobalSecondaryIndexPropsV2(
                index_name=index["IndexName"],
                projection_type=dynamodb.ProjectionType(index["Projection"]["ProjectionType"]),
                non_key_attributes=index["Projection"].get("NonKeyAttributes"),
                **_keys(definition, index["KeySchema"]),  # type: ignore[arg-type]
            )
            for index in definition.indexes
        ]
        return dynamodb.TableV2(
            self,
            definition.setting.removeprefix("TANDEM_").title().replace("_", ""),
            table_name=definition.name,
            billing=dynamodb.Billing.on_demand(),
            encryption=dynamodb.TableEncryptionV2.customer_managed_key(self.key),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=definition.ttl_attribute,
            global_secondary_indexes=indexes or None,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            **_keys(definition, definition.key_schema),  # type: ignore[arg-type]
        )
