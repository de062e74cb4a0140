"""The CDK app synthesizes (with cdk-nag's AwsSolutions checks) into the stack Tandem needs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

cdk = pytest.importorskip("aws_cdk")
from aws_cdk.assertions import Match, Template  # noqa: E402

from config.settings import Settings  # noqa: E402
from deploy.tables import table_definitions  # noqa: E402
from tests.deploy.synthesis import synthesize  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One synthesis for the module (it takes a minute): template, stack, nag report."""
    return synthesize(tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="module")
def template(synth: dict[str, Any]) -> Template:
    return synth["template"]


def resources(template: Template, kind: str) -> dict[str, Any]:
    return template.find_resources(kind)


def container_env(template: Template) -> dict[str, Any]:
    task = next(iter(resources(template, "AWS::ECS::TaskDefinition").values()))
    server = next(c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "server")
    return {e["Name"]: e["Value"] for e in server["Environment"]}


def test_cdk_nag_passes_with_every_acknowledgement_justified(synth):
    plugins = {p["pluginName"]: p for p in synth["report"]["pluginReports"]}
    assert all(p["conclusion"] == "success" for p in plugins.values())
    plugin = plugins["AwsSolutions"]
    assert plugin["violations"] == []
    for suppressed in plugin["suppressedViolations"]:
        assert len(suppressed["reason"]) > 40, suppressed["ruleName"]


def test_the_tables_match_the_code_that_uses_them(template):
    definitions = table_definitions(Settings(_env_file=None))
    tables = {
        t["Properties"]["TableName"]: t["Properties"]
        for t in resources(template, "AWS::DynamoDB::GlobalTable").values()
    }
    assert set(tables) == {d.name for d in definitions.values()}
    for definition in definitions.values():
        table = tables[definition.name]
        assert table["KeySchema"] == definition.key_schema
        deployed = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert set(deployed) == {i["IndexName"] for i in definition.indexes}
        for index in definition.indexes:
            assert deployed[index["IndexName"]]["KeySchema"] == index["KeySchema"]
            assert deployed[index["IndexName"]]["Projection"] == index["Projection"]
        replica = table["Replicas"][0]
        assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
        assert "KMSMasterKeyId" in replica["SSESpecification"]
        ttl = table.get("TimeToLiveSpecification")
        if definition.ttl_attribute:
            assert ttl == {"AttributeName": definition.ttl_attribute, "Enabled": True}
        else:
            assert ttl is None
    assert definitions["checkpoints"].ttl_attribute == "ttl"
    assert definitions["memory"].ttl_attribute == "expires_at"
    assert definitions["server"].ttl_attribute == "ttl", "client message ids expire"


def test_the_offload_bucket_is_private_encrypted_and_tls_only(template, synth):
    stack = synth["stack"]
    bucket_id = stack.get_logical_id(stack.data.offload_bucket.node.default_child)
    bucket = resources(template, "AWS::S3::Bucket")[bucket_id]["Properties"]
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    # Erased objects leave noncurrent versions in a versioned bucket: they must expire.
    [lifecycle] = bucket["LifecycleConfiguration"]["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert lifecycle["Status"] == "Enabled"
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def readme_server_actions() -> set[str]:
    """The actions the README's IAM section lists for the server's role."""
    text = (REPO / "README.md").read_text()
    section = text.split("**IAM permissions.**", 1)[1].split("Bootstrap additionally", 1)[0]
    return set(re.findall(r"`([a-z0-9-]+:[A-Za-z]+)`", section))


def test_the_task_role_has_exactly_the_permissions_the_readme_lists(template, synth):
    stack = synth["stack"]
    role_id = stack.get_logical_id(stack.service.task_role.node.default_child)
    policies = [
        p["Properties"]
        for p in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    actions: set[str] = set()
    for policy in policies:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            listed = statement["Action"]
            actions |= {listed} if isinstance(listed, str) else set(listed)
    assert actions == readme_server_actions()
    assert len(actions) > 15
    role = resources(template, "AWS::IAM::Role")[role_id]["Properties"]
    assert "ManagedPolicyArns" not in role


def test_the_service_sits_behind_the_load_balancer_and_scales(template):
    template.resource_count_is("AWS::ECS::Service", 1)
    (lb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in lb["Properties"]["LoadBalancerAttributes"]}
    idle = int(attributes["idle_timeout.timeout_seconds"])
    env = container_env(template)
    assert idle < int(env["TANDEM_KEEP_ALIVE_SECONDS"])
    policies = resources(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    kinds = {
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        .get("PredefinedMetricSpecification", {})
        .get("PredefinedMetricType")
        for p in policies
    }
    assert kinds == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"HealthCheckPath": "/readyz", "Port": 8000},
    )


def test_the_container_runs_every_backend_on_aws_with_cognito_auth(template):
    env = container_env(template)
    settings = Settings(_env_file=None)
    for name in ("CHECKPOINTER", "STORE_BACKEND", "SERVER_STORE_BACKEND", "LEASE_BACKEND"):
        assert env[f"TANDEM_{name}"] == "dynamodb"
        assert name.lower() in Settings.model_fields
    assert env["TANDEM_ORDERS_BACKEND"] == "dynamodb"
    assert env["TANDEM_KB_BACKEND"] == "opensearch"
    assert env["TANDEM_AUTH_MODE"] == "cognito"
    assert env["TANDEM_GRAPHQL_INTROSPECTION"] == "false"
    assert env["TANDEM_SERVER_TABLE"] == settings.server_table
    assert env["TANDEM_EVENTS_BACKEND"] == "eventbridge"
    # Attachments go to the private offload bucket, not the task's disk.
    assert env["TANDEM_ATTACHMENT_BUCKET"] == env["TANDEM_OFFLOAD_BUCKET"]
    assert "Ref" in json.dumps(env["TANDEM_EVENTBRIDGE_BUS"])
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    task = next(iter(resources(template, "AWS::ECS::TaskDefinition").values()))
    [collector] = [
        c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "otel-collector"
    ]
    config = json.dumps(collector["Environment"])
    assert "AOT_CONFIG_CONTENT" in config and "awsxray" in config and "awsemf" in config
    assert "127.0.0.1:8000" in config and "/metrics" in config
    for name in env:
        if not name.startswith("OTEL_"):  # the OpenTelemetry SDK's own variables
            assert name.removeprefix("TANDEM_").lower() in Settings.model_fields, name
    issuer = json.dumps(env["TANDEM_AUTH_ISSUER"])
    assert "https://" in issuer and "ProviderURL" in issuer
    assert "rediss://" in json.dumps(env["TANDEM_REDIS_URL"])


def test_cognito_has_the_three_roles_and_the_apps_callbacks(template):
    groups = {
        g["Properties"]["GroupName"]
        for g in resources(template, "AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {"customer", "agent", "admin"}
    (client,) = resources(template, "AWS::Cognito::UserPoolClient").values()
    callbacks = json.dumps(client["Properties"]["CallbackURLs"])
    for app in ("chat", "agent", "dashboard"):
        assert f"/{app}/callback" in callbacks
    assert client["Properties"]["AllowedOAuthFlows"] == ["code"]
    template.resource_count_is("AWS::Cognito::UserPoolDomain", 1)


def test_search_cache_edge_and_network_are_private_and_encrypted(template):
    (domain,) = resources(template, "AWS::OpenSearchService::Domain").values()
    props = domain["Properties"]
    assert props["VPCOptions"]["SubnetIds"]
    assert props["EncryptionAtRestOptions"]["Enabled"] is True
    assert props["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    template.has_resource_properties(
        "AWS::ElastiCache::ReplicationGroup",
        {"TransitEncryptionEnabled": True, "AtRestEncryptionEnabled": True},
    )
    (distribution,) = resources(template, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["WebACLId"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    template.has_resource_properties("AWS::WAFv2::WebACL", {"Scope": "CLOUDFRONT"})
    endpoints = resources(template, "AWS::EC2::VPCEndpoint").values()
    services = json.dumps([e["Properties"]["ServiceName"] for e in endpoints])
    for service in ("dynamodb", "bedrock-runtime", "ecr.dkr", "logs"):
        assert service in services
    template.resource_count_is("AWS::EC2::FlowLog", 1)
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    template.resource_count_is("AWS::Events::EventBus", 1)


def test_alarms_and_dashboard_watch_errors_latency_and_models(template):
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    metrics = {a["Properties"].get("MetricName") for a in alarms}
    assert {"HTTPCode_Target_5XX_Count", "TargetResponseTime", "ModelFailures"} <= metrics
    assert all(a["Properties"]["AlarmActions"] for a in alarms)
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    template.has_resource_properties(
        "AWS::Logs::MetricFilter", {"FilterPattern": Match.string_like_regexp("model")}
    )
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "ContainerDefinitions": Match.array_with(
                [Match.object_like({"Name": "otel-collector", "Essential": False})]
            )
        },
    )
