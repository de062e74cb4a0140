"""Lambda webhook latency: verify a signed WhatsApp delivery and queue it on SQS.

Starts its own moto_server (SQS) on a free loopback port, builds the webhook function's
handler as Lambda does (from settings), and invokes it with signed API Gateway HTTP API
events, one after the other. Prints, per run, the handler's time per invocation (what Meta
waits for, without API Gateway) as min / median / max, and the same over all runs. Times
include the HTTP round trip to moto_server, so they bound the SQS call from above.

    .venv/bin/python -m bench.lambda_webhooks [--messages 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import boto3
from pydantic import SecretStr

from bench.checkpoints import moto_server
from bench.messaging_webhooks import NUMBER_ID, SECRET, TOKEN, delivery
from channels.aws_lambda.handler import WHATSAPP_PATH, ChannelWebhooks
from channels.aws_lambda.setup import webhooks_from_settings
from channels.whatsapp.signature import sign
from config.settings import Settings

REGION = "eu-west-1"


def event(body: bytes) -> dict[str, object]:
    """A signed delivery as API Gateway's HTTP API hands it to the function."""
    return {
        "version": "2.0",
        "rawPath": WHATSAPP_PATH,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "x-hub-signature-256": sign(SECRET, body)},
        "requestContext": {
            "domainName": "bench.execute-api.eu-west-1.amazonaws.com",
            "http": {"method": "POST", "path": WHATSAPP_PATH},
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def run_once(webhooks: ChannelWebhooks, messages: int) -> list[float]:
    """Invoke the handler `messages` times; return each invocation's time (ms)."""
    times = []
    for index in range(messages):
        body = delivery(f"1555{index:07d}", "where is my order #W1234567?")
        started = time.perf_counter()
        answer = asyncio.run(webhooks.handle(event(body)))
        times.append((time.perf_counter() - started) * 1000)
        if answer["statusCode"] != 200:
            raise RuntimeError(f"the handler answered {answer}")
    return times


def _line(label: str, values: list[float]) -> str:
    return (
        f"{label:>8}  min {min(values):7.2f} ms  median {statistics.median(values):7.2f} ms  "
        f"max {max(values):7.2f} ms  (n={len(values)})"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "testing")
    with tempfile.TemporaryDirectory() as folder, moto_server(Path(folder) / "moto.log") as url:
        sqs = boto3.client("sqs", region_name=REGION, endpoint_url=url)
        queue = sqs.create_queue(QueueName=f"bench-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        settings = Settings(
            data_dir=Path(folder) / "data",
            aws_region=REGION,
            sqs_endpoint_url=url,
            inbound_queue_url=queue,
            whatsapp_app_secret=SecretStr(SECRET),
            whatsapp_verify_token=SecretStr("bench"),
            whatsapp_token=SecretStr(TOKEN),
            whatsapp_phone_number_id=NUMBER_ID,
        )
        webhooks = webhooks_from_settings(settings)
        run_once(webhooks, 3)  # warm up the client's connection pool
        every: list[float] = []
        for run in range(1, args.runs + 1):
            times = run_once(webhooks, args.messages)
            every += times
            print(_line(f"run {run}", times))
        print(_line("all", every))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
