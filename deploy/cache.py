"""ElastiCache Redis: live events and queue updates fanned out between server tasks."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_kms as kms
from constructs import Construct

PORT = 6380
"""Not Redis's default port."""


class FanoutCache(Construct):
    """A two-node Redis replication group with failover, encrypted at rest and in transit."""

    def __init__(self, scope: Construct, construct_id: str, vpc: ec2.IVpc, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self, "Sg", vpc=vpc, description="Redis: from the service only"
        )
        subnets = elasticache.CfnSubnetGroup(
            self,
            "Subnets",
            description="Tandem Redis private subnets",
            subnet_ids=vpc.select_subnets(
                subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
            ).subnet_ids,
        )
        self.group = elasticache.CfnReplicationGroup(
            self,
            "Redis",
            replication_group_description="Tandem live event fan-out",
            engine="redis",
            engine_version="7.1",
            cache_node_type="cache.t4g.small",
            num_cache_clusters=2,
            automatic_failover_enabled=True,
            multi_az_enabled=True,
            port=PORT,
            cache_subnet_group_name=subnets.ref,
            security_group_ids=[self.security_group.security_group_id],
            at_rest_encryption_enabled=True,
            kms_key_id=key.key_id,
            transit_encryption_enabled=True,
        )

    @property
    def url(self) -> str:
        """TANDEM_REDIS_URL: TLS (`rediss://`) to the primary endpoint."""
        return f"rediss://{self.group.attr_primary_end_point_address}:{PORT}/0"

    def allow_from(self, peer: ec2.ISecurityGroup) -> None:
        """Let `peer` reach Redis."""
        self.security_group.add_ingress_rule(peer, ec2.Port.tcp(PORT), "service to Redis")
