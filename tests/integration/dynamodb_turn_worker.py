"""A process that runs one customer turn on the DynamoDB checkpointer with a slow model.

The crash test starts it, waits for the first streamed token and kills it with SIGKILL,
then resumes the conversation itself. Each event type is printed on its own line.

    python -m tests.integration.dynamodb_turn_worker --endpoint URL --table T --thread ID \
        --data-dir DIR --region R
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from config.settings import Settings
from graphs.context import Context
from graphs.turns import customer_input, stream_turn
from tests.fakes import ScriptedChatModel, scripted
from wiring.root import Root

MESSAGE = "where is my order #W1234567?"
CUSTOMER = "alex_morgan_1001"
SLOW_REPLY = "Your order #W1234567 is still pending and has not shipped yet, " * 5


class SlowScriptedModel(ScriptedChatModel):
    """Streams its scripted reply one word every `pause` seconds."""

    pause: float = 0.2

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(messages, *args, **kwargs):
            time.sleep(self.pause)
            yield chunk


def main() -> None:
    """Run the turn and print each event's type as it arrives."""
    parser = argparse.ArgumentParser()
    for name in ("--endpoint", "--table", "--thread", "--data-dir", "--region"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    settings = Settings(
        data_dir=args.data_dir,
        model="",
        checkpointer="dynamodb",
        dynamodb_endpoint_url=args.endpoint,
        checkpoint_table=args.table,
        aws_region=args.region,
    )
    root = Root(settings)
    root.services.chat_model = SlowScriptedModel(replies=scripted(SLOW_REPLY).replies, seen=[])
    root.services.model_plans = False  # the drafting step is where the test kills the turn
    with root.open_graph() as graph:
        context = Context(customer_id=CUSTOMER, model="")
        for event in stream_turn(graph, args.thread, customer_input(MESSAGE, "test"), context):
            print(event["type"], flush=True)


if __name__ == "__main__":
    main()
