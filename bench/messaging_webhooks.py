"""WhatsApp webhook latency: how fast Meta gets its 200, and when the reply reaches the Graph API.

Starts Tandem (embedded backends, grounded drafter, SQLite checkpoints) on a loopback port with
the WhatsApp channel pointed at a loopback Graph API endpoint, then posts signed webhook
deliveries one after the other, each "where is my order #W1234567?" from a new number (a first
contact: the bot asks the unknown sender to identify). For each run it prints the webhook's
response time (what Meta waits for) and the time from the POST to the reply arriving at the
Graph API, as min / median / p95 / max.

    .venv/bin/python -m bench.messaging_webhooks [--messages 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from config.settings import Settings
from tools.orders.seed import DEMO_PENDING_ORDER_ID

SECRET, TOKEN, NUMBER_ID = "bench-secret", "bench-token", "100000000000001"


class GraphEndpoint:
    """A loopback Graph API messages endpoint that notes when each recipient got a reply."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.changed = threading.Condition()

    async def messages(self, request: Request) -> JSONResponse:
        """Accept a message and note when its recipient's first reply arrived."""
        body = json.loads(await request.body())
        with self.changed:
            self.arrivals.setdefault(body["to"], time.perf_counter())
            self.changed.notify_all()
        return JSONResponse({"messaging_product": "whatsapp", "messages": [{"id": "wamid.x"}]})

    def wait(self, to: str, timeout: float = 120) -> float:
        """When `to` got its first reply (waits for it)."""
        with self.changed:
            self.changed.wait_for(lambda: to in self.arrivals, timeout)
            return self.arrivals[to]


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` on 127.0.0.1, an ephemeral port, in a thread; yield its URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)


def delivery(wa_id: str, text: str) -> bytes:
    """A webhook delivery of one text message, as Meta posts it."""
    message = {"from": wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
               "type": "text", "text": {"body": text}}  # fmt: skip
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": NUMBER_ID},
             "contacts": [{"profile": {"name": "Bench"}, "wa_id": wa_id}],
             "messages": [message]}  # fmt: skip
    body = {"object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    return json.dumps(body).encode()


def run_once(
    url: str, graph: GraphEndpoint, messages: int, run: int
) -> tuple[list[float], list[float]]:
    """Post `messages` deliveries; return webhook response times and POST-to-reply times (ms)."""
    acks, replies = [], []
    with httpx.Client(timeout=60) as client:
        for n in range(messages):
            wa_id = f"1555{run:02d}{n:05d}"
            body = delivery(wa_id, f"where is my order {DEMO_PENDING_ORDER_ID}?")
            signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            start = time.perf_counter()
            response = client.post(f"{url}/v1/channels/whatsapp/webhook", content=body,
                                   headers={"X-Hub-Signature-256": signature,
                                            "Content-Type": "application/json"})  # fmt: skip
            acked = time.perf_counter()
            response.raise_for_status()
            replied = graph.wait(wa_id)
            acks.append((acked - start) * 1000)
            replies.append((replied - start) * 1000)
    return acks, replies


def _row(table: Table, label: str, values: list[float]) -> None:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    table.add_row(
        label, *(f"{v:.1f}" for v in (ordered[0], statistics.median(ordered), p95, ordered[-1]))
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=30, help="deliveries per run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from server.app import create_app

    graph = GraphEndpoint()
    route = Route("/v21.0/{number}/messages", graph.messages, methods=["POST"])
    console = Console()
    with tempfile.TemporaryDirectory() as folder, serve(Starlette(routes=[route])) as graph_url:
        settings = Settings(
            data_dir=Path(folder), model="", email_enabled=False,
            channel_sender_messages_per_hour=0,
            whatsapp_app_secret=SecretStr(SECRET), whatsapp_verify_token=SecretStr("v"),
            whatsapp_token=SecretStr(TOKEN), whatsapp_phone_number_id=NUMBER_ID,
            whatsapp_api_base=graph_url,
        )  # fmt: skip
        with serve(create_app(settings)) as url:
            for run in range(1, args.runs + 1):
                acks, replies = run_once(url, graph, args.messages, run)
                table = Table(title=f"run {run}: {args.messages} WhatsApp messages, one at a time")
                for column in ("ms", "min", "median", "p95", "max"):
                    table.add_column(column, justify="right")
                _row(table, "webhook 200", acks)
                _row(table, "POST → reply at Graph API", replies)
                console.print(table)
                graph.arrivals.clear()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
