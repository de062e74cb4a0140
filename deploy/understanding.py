"""Optional: the intent and sentiment engines on an Amazon SageMaker endpoint.

Deployed with `-c understandingEndpoint=1`: the `understanding` target of
`deploy/compute.Dockerfile` as a SageMaker model (real-time endpoint, one instance), the
service told its name (`TANDEM_UNDERSTANDING_ENDPOINT`) and allowed to invoke it, and
nothing else. The service keeps the in-process engines as its fallback.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from deploy.service import REPO_ROOT
from deploy.webhooks import COMPUTE_DOCKERFILE

VARIANT = "AllTraffic"


class UnderstandingEndpoint(Construct):
    """Model, endpoint configuration (KMS-encrypted storage) and endpoint."""

    def __init__(
        self, scope: Construct, construct_id: str, *, key: kms.IKey, instance_type: str
    ) -> None:
        super().__init__(scope, construct_id)
        image = ecr_assets.DockerImageAsset(
            self,
            "Image",
            directory=str(REPO_ROOT),
            file=COMPUTE_DOCKERFILE,
            target="understanding",
            platform=ecr_assets.Platform.LINUX_AMD64,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description="Tandem understanding endpoint: pull its image, write its logs",
        )
        image.repository.grant_pull(self.role)
        stack = Stack.of(self)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[
                    f"arn:aws:logs:{stack.region}:{stack.account}:log-group:"
                    "/aws/sagemaker/Endpoints/*"
                ],
            )
        )
        model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=self.role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(image=image.image_uri),
        )
        model.node.add_dependency(self.role)
        config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            kms_key_id=key.key_arn,
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name=VARIANT,
                    model_name=model.attr_model_name,
                    initial_instance_count=1,
                    initial_variant_weight=1,
                    instance_type=instance_type,
                )
            ],
        )
        self.endpoint = sagemaker.CfnEndpoint(
            self, "Endpoint", endpoint_config_name=config.attr_endpoint_config_name
        )

    @property
    def endpoint_arn(self) -> str:
        """The endpoint's ARN (what `sagemaker:InvokeEndpoint` is granted on)."""
        return self.endpoint.ref

    def grant_invoke(self, role: iam.IRole) -> None:
        """Let `role` call InvokeEndpoint on this endpoint only."""
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["sagemaker:InvokeEndpoint"], resources=[self.endpoint_arn])
        )
