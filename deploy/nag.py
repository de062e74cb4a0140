"""cdk-nag AwsSolutions findings this stack accepts, each with the reason it is acceptable.

Anything not acknowledged here fails `cdk synth` (and the deploy tests).
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct

from deploy.stack import TandemStack

PACK = "AwsSolutions::AwsSolutions-"


def _ack(scope: IConstruct, reasons: dict[str, str]) -> None:
    Validations.of(scope).acknowledge(
        *(Acknowledgment(id=PACK + rule, reason=reason) for rule, reason in reasons.items())
    )


def _arn(construct: IConstruct) -> str:
    """How cdk-nag names a resource's ARN in a finding: `<LogicalId.Arn>`."""
    logical = Stack.of(construct).get_logical_id(construct.node.default_child)  # type: ignore[arg-type]
    return f"<{logical}.Arn>"


def _task_role(stack: TandemStack) -> None:
    reasons = {
        f"IAM5[Resource::{_arn(table)}/index/*]": "The server queries the table's secondary "
        "indexes; index/* is the table's own indexes, nothing else."
        for table in stack.data.tables.values()
    }
    reasons |= {
        f"IAM5[Resource::{_arn(stack.data.offload_bucket)}/*]": "Checkpoint payloads are "
        "objects named by checkpoint id in the offload bucket only.",
        f"IAM5[Resource::{_arn(stack.search.domain)}/tandem-kb/*]": "Documents and searches "
        "of the knowledge-base index only.",
        f"IAM5[Resource::arn:aws:bedrock:{stack.region}::foundation-model/*]": "The model is "
        "a deployment choice (-c model=...); invocation is limited to foundation models.",
        f"IAM5[Resource::arn:aws:bedrock:{stack.region}:<AWS::AccountId>:inference-profile/*]": (
            "Cross-region inference profiles of this account, for the same models."
        ),
        "IAM5[Resource::*]": "Comprehend DetectSentiment/DetectPiiEntities, X-Ray "
        "PutTraceSegments/PutTelemetryRecords, Transcribe StartStreamTranscription and Polly "
        "SynthesizeSpeech have no resource-level permissions.",
        f"IAM5[Resource::arn:aws:sns:{stack.region}:<AWS::AccountId>:app/*]": (
            "Mobile push creates endpoints under the account's SNS platform applications "
            "(APNs, FCM), which are made outside the stack with the push credentials."
        ),
        f"IAM5[Resource::arn:aws:sns:{stack.region}:<AWS::AccountId>:endpoint/*]": (
            "Mobile push publishes to and deletes the platform endpoints it created, one per "
            "registered phone; their names are chosen by SNS."
        ),
        f"IAM5[Resource::arn:aws:ses:{stack.region}:<AWS::AccountId>:identity/*]": (
            "Email replies are sent from the account's verified SES identities; which address "
            "is the channel's setting (TANDEM_EMAIL_ADDRESS)."
        ),
    }
    _ack(stack.service.task_role, reasons)


def _webhooks(stack: TandemStack) -> None:
    _ack(
        stack.webhooks.role,
        {
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]": "The webhook function writes its own logs with "
            "Lambda's basic execution role (CreateLogGroup/Stream, PutLogEvents) and nothing "
            "else.",
            "IAM5[Resource::*]": "Active X-Ray tracing: PutTraceSegments and "
            "PutTelemetryRecords have no resource-level permissions.",
        },
    )
    _ack(
        stack.webhooks.api,
        {
            "APIG4": "Webhook callers are Meta, Twilio and SNS, which cannot present AWS or "
            "Cognito credentials; every request is authenticated by the provider's signature "
            "(X-Hub-Signature-256, X-Twilio-Signature, the SNS message signature) in the "
            "function before anything is queued.",
        },
    )


def _understanding(stack: TandemStack) -> None:
    if stack.understanding is None:
        return
    _ack(
        stack.understanding.role,
        {
            "IAM5[Resource::*]": "ecr:GetAuthorizationToken (pulling the model image) has no "
            "resource-level permissions; the image pull itself is limited to its repository.",
            f"IAM5[Resource::arn:aws:logs:{stack.region}:<AWS::AccountId>:log-group:"
            "/aws/sagemaker/Endpoints/*]": "SageMaker names an endpoint's log group after the "
            "endpoint it creates; the role writes only under /aws/sagemaker/Endpoints/.",
        },
    )


def suppress_justified(stack: TandemStack) -> None:
    """Attach every accepted finding to the resource it concerns, with its reason."""
    _task_role(stack)
    _webhooks(stack)
    _understanding(stack)
    _ack(
        stack.service,
        {
            "IAM5[Resource::*]": "The execution role's ecr:GetAuthorizationToken (CDK default) "
            "has no resource-level permissions.",
            "ECS2": "The environment holds configuration only (table names, endpoints, the user "
            "pool); there are no secrets in it.",
            "EC23": "The load balancer is CloudFront's origin: its listener forwards only "
            "requests carrying the stack's origin header and answers 403 to the rest.",
        },
    )
    _ack(
        stack.search,
        {
            "OS3": "The domain has no public endpoint: it is in private subnets and its "
            "security group admits only the service.",
            "OS4": "Two data nodes over two zones serve one small knowledge-base index; "
            "dedicated masters cost more than they protect at this size.",
            "OS5": "Only reachable inside the VPC from the service, whose requests are "
            "SigV4-signed by the task role.",
            "IAM5[Resource::*]": "CDK's log-group resource policy writer for the domain's "
            "slow and application logs (CloudWatch Logs resource policies are account-wide).",
        },
    )
    for child in stack.node.children:
        if child.node.id.startswith("AWS679f53fac002430cb0da5b7982bd2287"):
            _ack(
                child,
                {
                    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AWSLambdaBasicExecutionRole]": "CDK's custom-resource function (it writes "
                    "the OpenSearch log-group policy) logs with the basic execution role.",
                },
            )
    _ack(
        stack.network.vpc,
        {
            "EC23": "Interface endpoints admit HTTPS from the VPC's own CIDR (a token cdk-nag "
            "cannot evaluate), not from the internet."
        },
    )
    _ack(
        stack.cache,
        {
            "AEC6": "Redis is reachable only from the service's security group in private "
            "subnets, with TLS in transit; AUTH would put a password in the URL setting."
        },
    )
    _ack(
        stack.edge,
        {
            "CFR1": "Customers may write from anywhere; WAF rate-limits and filters instead.",
            "CFR5": "CloudFront reaches the load balancer over HTTP inside AWS's network (the "
            "load balancer has no certificate without a custom domain); the origin never "
            "negotiates SSLv3 or TLSv1.",
            "CFR4": "The default *.cloudfront.net certificate allows older TLS; attach a custom "
            "domain and certificate to enforce TLSv1.2_2021.",
        },
    )
    _ack(
        stack.identity,
        {
            "COG2": "Customers sign up themselves; MFA (TOTP) is optional for them. Require it "
            "for the agent and admin groups in the pool's settings."
        },
    )
