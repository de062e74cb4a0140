"""The stack's compute beside the service: webhook functions, inbound queue, SageMaker option."""

from __future__ import annotations

import json
from typing import Any

import pytest

cdk = pytest.importorskip("aws_cdk")
from aws_cdk.assertions import Match, Template  # noqa: E402

from config.settings import Settings  # noqa: E402
from deploy.webhooks import MAX_RECEIVES, ROUTES  # noqa: E402
from server.routes import channels_email, sms, whatsapp  # noqa: E402
from tests.deploy.synthesis import synthesize  # noqa: E402

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tandem-webhooks-AbCdEf"


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One synthesis with the SageMaker endpoint on (the webhooks are always there)."""
    context = {"understandingEndpoint": "1", "webhookSecretArn": SECRET}
    return synthesize(tmp_path_factory.mktemp("cdk.out"), context)


@pytest.fixture(scope="module")
def template(synth: dict[str, Any]) -> Template:
    return synth["template"]


def logical_id(stack: Any, construct: Any) -> str:
    """The logical id of an L2 construct's resource, or of an L1 resource itself."""
    return str(stack.get_logical_id(construct.node.default_child or construct))


def role_actions(template: Template, role_id: str) -> dict[str, list[Any]]:
    """Every action the role's inline policies allow, with the resources it is allowed on."""
    allowed: dict[str, list[Any]] = {}
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            for action in [actions] if isinstance(actions, str) else actions:
                resources = statement["Resource"]
                allowed.setdefault(action, []).extend(
                    resources if isinstance(resources, list) else [resources]
                )
    return allowed


def test_cdk_nag_passes_with_the_compute_acknowledgements_justified(synth):
    plugins = {p["pluginName"]: p for p in synth["report"]["pluginReports"]}
    assert all(p["conclusion"] == "success" for p in plugins.values())
    suppressed = plugins["AwsSolutions"]["suppressedViolations"]
    ours = [
        s for s in suppressed if "Webhooks" in json.dumps(s) or "Understanding" in json.dumps(s)
    ]
    assert {s["ruleName"].split("[")[0] for s in ours} >= {
        "AwsSolutions-APIG4",
        "AwsSolutions-IAM5",
    }
    assert all(len(s["reason"]) > 40 for s in ours)


def test_the_inbound_queue_is_fifo_encrypted_and_dead_letters_into_an_alarmed_queue(
    synth, template
):
    stack = synth["stack"]
    queue_id = logical_id(stack, stack.webhooks.queue)
    dlq_id = logical_id(stack, stack.webhooks.dead_letters)
    key = {"Fn::GetAtt": [logical_id(stack, stack.data.key), "Arn"]}
    queues = template.find_resources("AWS::SQS::Queue")
    inbound, dead = queues[queue_id]["Properties"], queues[dlq_id]["Properties"]
    assert inbound["FifoQueue"] is True and dead["FifoQueue"] is True
    assert inbound["KmsMasterKeyId"] == key and dead["KmsMasterKeyId"] == key
    assert inbound["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": MAX_RECEIVES,
    }
    for queue in (queue_id, dlq_id):  # TLS only
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue}],
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
    alarm_topic = {"Ref": logical_id(stack, stack.monitoring.topic)}
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Namespace": "AWS/SQS",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}],
            "Threshold": 1,
            "AlarmActions": [alarm_topic],
        },
    )


def test_the_http_api_routes_the_servers_webhook_paths_to_the_function(synth, template):
    stack = synth["stack"]
    routes = template.find_resources("AWS::ApiGatewayV2::Route").values()
    keys = {route["Properties"]["RouteKey"] for route in routes}
    assert keys == {f"{m.value} {path}" for path, methods in ROUTES for m in methods}
    served = {
        (method, route.path)
        for router in (whatsapp.router, sms.router, channels_email.router)
        for route in router.routes
        for method in getattr(route, "methods", ())
    }
    assert {tuple(key.split(" ")) for key in keys} <= served
    (stage,) = template.find_resources("AWS::ApiGatewayV2::Stage").values()
    assert "AccessLogSettings" in stage["Properties"]
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    (function,) = [
        f
        for f in template.find_resources("AWS::Lambda::Function").values()
        if f["Properties"].get("PackageType") == "Image"
    ]
    env = function["Properties"]["Environment"]["Variables"]
    assert env["TANDEM_INBOUND_QUEUE_URL"] == {"Ref": logical_id(stack, stack.webhooks.queue)}
    assert env["TANDEM_WEBHOOK_SECRETS_ARN"] == SECRET
    for name in env:
        assert name.removeprefix("TANDEM_").lower() in Settings.model_fields, name
    assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}


def test_the_function_may_only_send_to_the_queue_and_the_service_only_consume(synth, template):
    stack = synth["stack"]
    queue_arn = {"Fn::GetAtt": [logical_id(stack, stack.webhooks.queue), "Arn"]}
    function = role_actions(template, logical_id(stack, stack.webhooks.role))
    assert set(function) == {
        "sqs:SendMessage",
        "kms:GenerateDataKey",
        "kms:Decrypt",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "secretsmanager:GetSecretValue",
    }
    assert function["sqs:SendMessage"] == [queue_arn]
    assert function["secretsmanager:GetSecretValue"] == [SECRET]
    server_table = {"Fn::GetAtt": [logical_id(stack, stack.data.tables["server"]), "Arn"]}
    assert function["dynamodb:PutItem"] == [server_table]
    service = role_actions(template, logical_id(stack, stack.service.task_role))
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"):
        assert service[action] == [queue_arn]
    assert "sqs:SendMessage" not in service


def test_the_sagemaker_option_serves_the_engines_and_the_service_may_invoke_only_it(
    synth, template
):
    stack = synth["stack"]
    endpoint_id = logical_id(stack, stack.understanding.endpoint)
    template.resource_count_is("AWS::SageMaker::Endpoint", 1)
    template.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "KmsKeyId": {"Fn::GetAtt": [logical_id(stack, stack.data.key), "Arn"]},
            "ProductionVariants": [Match.object_like({"InstanceType": "ml.c5.large"})],
        },
    )
    service = role_actions(template, logical_id(stack, stack.service.task_role))
    assert service["sagemaker:InvokeEndpoint"] == [{"Ref": endpoint_id}]
    task = next(iter(template.find_resources("AWS::ECS::TaskDefinition").values()))
    server = next(c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "server")
    env = {e["Name"]: e["Value"] for e in server["Environment"]}
    assert env["TANDEM_UNDERSTANDING_ENDPOINT"] == {"Fn::GetAtt": [endpoint_id, "EndpointName"]}
    assert "TANDEM_INBOUND_QUEUE_URL" in env
