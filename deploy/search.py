"""The knowledge base's OpenSearch domain, inside the VPC."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from constructs import Construct


class SearchDomain(Construct):
    """Two data nodes over two zones, encrypted, HTTPS only, reachable from the service."""

    def __init__(self, scope: Construct, construct_id: str, vpc: ec2.IVpc, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self, "Sg", vpc=vpc, description="OpenSearch: HTTPS from the service only"
        )
        slow_logs = logs.LogGroup(self, "SlowLogs", retention=logs.RetentionDays.ONE_MONTH)
        app_logs = logs.LogGroup(self, "AppLogs", retention=logs.RetentionDays.ONE_MONTH)
        self.domain = opensearch.Domain(
            self,
            "Domain",
            version=opensearch.EngineVersion.OPENSEARCH_2_19,
            vpc=vpc,
            vpc_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)],
            security_groups=[self.security_group],
            capacity=opensearch.CapacityConfig(
                data_nodes=2,
                data_node_instance_type="r6g.large.search",
                multi_az_with_standby_enabled=False,
            ),
            zone_awareness=opensearch.ZoneAwarenessConfig(enabled=True, availability_zone_count=2),
            ebs=opensearch.EbsOptions(volume_size=50, volume_type=ec2.EbsDeviceVolumeType.GP3),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True, kms_key=key),
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2,
            logging=opensearch.LoggingOptions(
                slow_search_log_enabled=True,
                slow_search_log_group=slow_logs,
                slow_index_log_enabled=True,
                slow_index_log_group=slow_logs,
                app_log_enabled=True,
                app_log_group=app_logs,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )

    def allow_from(self, peer: ec2.ISecurityGroup) -> None:
        """Let `peer` reach the domain over HTTPS."""
        self.security_group.add_ingress_rule(peer, ec2.Port.tcp(443), "service to OpenSearch")
