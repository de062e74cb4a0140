"""Channel webhooks as AWS Lambda functions behind an API Gateway HTTP API."""
