"""Connect `opensearch-py` to a local node or to an Amazon OpenSearch Service domain.

A URL whose host is an AWS domain (`*.es.amazonaws.com`, `*.aoss.amazonaws.com`) gets
SigV4-signed requests with the default boto3 credentials; any other URL (a node on
loopback, a self-managed cluster) is used as given, with credentials from the URL if any.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from opensearchpy import OpenSearch

DEFAULT_TIMEOUT_SECONDS = 30


class OpenSearchUnavailable(RuntimeError):
    """The OpenSearch endpoint cannot be reached or refused the request; the message says why."""


def aws_service_for(url: str) -> str | None:
    """Return the SigV4 service name for an AWS OpenSearch URL ('es' or 'aoss'), else None."""
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith(".aoss.amazonaws.com"):
        return "aoss"
    if host.endswith(".es.amazonaws.com"):
        return "es"
    return None


def connect(
    url: str, region: str = "us-east-1", timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> OpenSearch:
    """Return a client for `url`; raises ValueError for a URL that is not http(s)://host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"OpenSearch URL must look like http(s)://host:port, not {url!r}")
    service = aws_service_for(url)
    if service is None:
        return OpenSearch(hosts=[url], timeout=timeout, retry_on_timeout=True, max_retries=2)
    import boto3
    from opensearchpy import Urllib3AWSV4SignerAuth

    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise OpenSearchUnavailable(f"no AWS credentials to sign requests to {parts.hostname}")
    return OpenSearch(
        hosts=[url],
        http_auth=Urllib3AWSV4SignerAuth(credentials, region, service),
        use_ssl=parts.scheme == "https",
        verify_certs=True,
        timeout=timeout,
        retry_on_timeout=True,
        max_retries=2,
    )
