"""Taking each customer message once: the client message id check shared by HTTP and WebSocket."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from server.runtime import ServerRuntime


@contextlib.contextmanager
def accepted_once(
    runtime: ServerRuntime, conversation_id: str, client_message_id: str | None
) -> Iterator[bool]:
    """Yield whether the message is new; forget its id again if the block fails.

    A message without an id is always new. The id is claimed before the turn starts, so
    two concurrent sends of one message cannot both start a turn; when the turn does not
    start (the conversation is busy), the id is released and the app's retry is accepted.
    """
    devices = runtime.devices
    if client_message_id is None or devices is None:
        yield True
        return
    fresh = devices.client_messages.claim(conversation_id, client_message_id)
    try:
        yield fresh
    except BaseException:
        if fresh:
            devices.client_messages.release(conversation_id, client_message_id)
        raise
