"""Sign-in: a Cognito user pool with the three roles as groups and the web apps' client."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from server.auth.principal import ROLES

WEB_APPS = ("chat", "agent", "dashboard")
"""The web apps; each finishes the hosted login on /APP/callback."""


class Identity(Construct):
    """User pool (customer, agent, admin groups), hosted login domain and web app client."""

    def __init__(
        self, scope: Construct, construct_id: str, origins: list[str], domain_prefix: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            custom_attributes={
                "customer_id": cognito.StringAttribute(min_len=1, max_len=128, mutable=False)
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for role in ROLES:
            cognito.UserPoolGroup(
                self,
                f"{role.title()}Group",
                user_pool=self.user_pool,
                group_name=role,
                description=f"Tandem {role}s",
            )
        self.domain = self.user_pool.add_domain(
            "Hosted", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix)
        )
        self.client = self.user_pool.add_client(
            "Web",
            generate_secret=False,
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[
                    cognito.OAuthScope.OPENID,
                    cognito.OAuthScope.EMAIL,
                    cognito.OAuthScope.PROFILE,
                ],
                callback_urls=[f"{o}/{app}/callback" for o in origins for app in WEB_APPS],
                logout_urls=[f"{o}/{app}" for o in origins for app in WEB_APPS],
            ),
        )

    @property
    def issuer(self) -> str:
        """The `iss` claim of the pool's tokens (TANDEM_AUTH_ISSUER)."""
        return f"https://{self.user_pool.user_pool_provider_url}"
