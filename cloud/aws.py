"""boto3 sessions and clients with an explicit endpoint override.

Every AWS client Tandem builds for persistence goes through `aws_client`, so a single
`endpoint_url` points the whole process at a local emulator (moto_server, DynamoDB Local,
LocalStack) instead of AWS, and `None` means the service's regional AWS endpoint.
Credentials come from the standard boto3 chain (environment, profile, instance role)
unless a session built with explicit keys is passed in.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

DEFAULT_CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=10,
    retries={"mode": "standard", "max_attempts": 3},
)


def aws_session(
    region: str,
    *,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
) -> boto3.Session:
    """A boto3 session for `region`; explicit keys override the default credential chain."""
    return boto3.Session(
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
    )


def aws_client(
    service: str,
    region: str,
    endpoint_url: str | None = None,
    *,
    session: boto3.Session | None = None,
    config: Config | None = None,
) -> Any:
    """A low-level boto3 client for `service`, talking to `endpoint_url` when one is given."""
    source = session or aws_session(region)
    merged = DEFAULT_CLIENT_CONFIG.merge(config) if config else DEFAULT_CLIENT_CONFIG
    return source.client(service, region_name=region, endpoint_url=endpoint_url, config=merged)
