"""CloudFront in front of the web apps and the API, guarded by a WAF web ACL."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

MANAGED_RULES = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
RATE_LIMIT_PER_5_MINUTES = 2000
"""Requests one IP address may send in five minutes before WAF blocks it."""
STATIC_PATHS = ("/assets/*",)
"""The web apps' hashed bundles: cached at the edge; everything else goes to the server."""


def _managed_rule(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name
            )
        ),
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        visibility_config=_visibility(name),
    )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def web_acl(scope: Construct) -> wafv2.CfnWebACL:
    """AWS managed rule groups plus a per-IP rate limit (CLOUDFRONT scope: us-east-1 only)."""
    rules = [_managed_rule(name, i) for i, name in enumerate(MANAGED_RULES)]
    rules.append(
        wafv2.CfnWebACL.RuleProperty(
            name="RatePerIp",
            priority=len(rules),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=RATE_LIMIT_PER_5_MINUTES, aggregate_key_type="IP"
                )
            ),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            visibility_config=_visibility("RatePerIp"),
        )
    )
    return wafv2.CfnWebACL(
        scope,
        "WebAcl",
        scope="CLOUDFRONT",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        rules=rules,
        visibility_config=_visibility("tandem"),
    )


class Edge(Construct):
    """The distribution: API and apps from the load balancer, bundles cached at the edge."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        load_balancer: elbv2.IApplicationLoadBalancer,
        log_bucket: s3.IBucket,
        web_acl_arn: str,
        origin_header: tuple[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        if not web_acl_arn:
            region = Stack.of(self).region
            if region != "us-east-1":
                raise ValueError(
                    f"CloudFront's WAF web ACL lives in us-east-1; this stack is in {region}. "
                    "Deploy to us-east-1 or pass -c webAclArn=<an existing CLOUDFRONT web ACL>."
                )
            web_acl_arn = web_acl(self).attr_arn
        origin = origins.LoadBalancerV2Origin(
            load_balancer,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            custom_headers=dict([origin_header]),
        )
        static = cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            compress=True,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Cdn",
            comment="Tandem web apps and API",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER,
            ),
            additional_behaviors=dict.fromkeys(STATIC_PATHS, static),
            web_acl_id=web_acl_arn,
            enable_logging=True,
            log_bucket=log_bucket,
            log_file_prefix="cloudfront/",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )

    @property
    def origin_url(self) -> str:
        """https:// and the distribution's domain name."""
        return f"https://{self.distribution.distribution_domain_name}"
