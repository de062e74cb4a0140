"""The queue's message body: one normalised `InboundMessage` as JSON.

Webhooks (the server's routes, or the Lambda functions) put the message they verified and
normalised; the consumer reads it back unchanged. A body that does not decode is a poison
message: the consumer never acknowledges it, so it ends in the dead-letter queue.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from channels.base import InboundMessage

_ADAPTER = TypeAdapter(InboundMessage)


class EnvelopeError(ValueError):
    """The queue message is not an encoded inbound message."""


def encode(message: InboundMessage) -> str:
    """The queue body carrying `message`."""
    return _ADAPTER.dump_json(message).decode()


def decode(body: str) -> InboundMessage:
    """The inbound message in a queue body; `EnvelopeError` when it holds none."""
    try:
        return _ADAPTER.validate_json(body)
    except ValidationError as error:
        raise EnvelopeError(f"not an inbound message: {error.error_count()} error(s)") from None
