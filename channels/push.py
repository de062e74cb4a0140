"""Push notifications to the customers' phones when a conversation needs them.

`PushNotifier` watches every event the hub publishes: a human agent's message, and a reply
that asks the customer to confirm an action, become a notification to each phone the
conversation's customer registered. Sending happens on a worker thread, off the turn's
path; a failed send is logged and dropped (the conversation itself is the record).

`ExpoPush` (development, and apps built with Expo's push service) speaks Expo's push API
(`POST /--/api/v2/push/send`, a JSON list of messages, answered by one ticket per message);
a ticket with `DeviceNotRegistered` makes the notifier forget that token.
`channels.push_sns.SnsPush` delivers through Amazon SNS mobile push in production.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from conversations.push_devices import PushDevice, PushDevices
from conversations.store import ServerStore

logger = logging.getLogger("tandem.channels.push")

EXPO_PUSH_URL = "https://exp.host/--/api/v2/push/send"
EXPO_BATCH = 100
"""Messages per request Expo accepts."""
BODY_CHARS = 180
_STOP = object()


@dataclass(frozen=True)
class Notification:
    """What a phone shows, and the conversation it opens."""

    title: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)


class PushSender(Protocol):
    """Delivers one notification to many phones; returns the tokens to forget."""

    def send(self, devices: list[PushDevice], notification: Notification) -> list[str]:
        """Send; the tokens the service reports as no longer registered."""
        ...

    def close(self) -> None:
        """Give back what the sender holds open."""
        ...


class ExpoPush:
    """Expo's push service (or a server speaking its wire format)."""

    def __init__(
        self, url: str = EXPO_PUSH_URL, access_token: str | None = None, timeout: float = 10.0
    ) -> None:
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        self.url = url
        self._http = httpx.Client(headers=headers, timeout=timeout)

    def send(self, devices: list[PushDevice], notification: Notification) -> list[str]:
        """Send to every phone, 100 a request; the tokens Expo says are not registered."""
        tokens = [device.token for device in devices]
        gone: list[str] = []
        for start in range(0, len(tokens), EXPO_BATCH):
            batch = tokens[start : start + EXPO_BATCH]
            messages = [
                {
                    "to": token,
                    "title": notification.title,
                    "body": notification.body,
                    "data": notification.data,
                    "sound": "default",
                    "priority": "high",
                }
                for token in batch
            ]
            response = self._http.post(self.url, json=messages)
            response.raise_for_status()
            tickets = response.json().get("data") or []
            for token, ticket in zip(batch, tickets, strict=False):
                if ticket.get("status") == "error":
                    error = (ticket.get("details") or {}).get("error")
                    logger.warning("push to a device failed: %s", error or ticket.get("message"))
                    if error == "DeviceNotRegistered":
                        gone.append(token)
        return gone

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()


def notification_for(conversation_id: str, event: dict[str, Any]) -> Notification | None:
    """The notification an event calls for, if any."""
    data = {"conversation_id": conversation_id}
    if event["type"] == "agent_message":
        return Notification(
            f"{event.get('agent') or 'An agent'} replied",
            _clip(str(event.get("text", ""))),
            data,
        )
    if event["type"] == "done" and event.get("awaiting_confirmation"):
        return Notification("Please confirm", _clip(str(event.get("reply", ""))), data)
    return None


def _clip(text: str) -> str:
    text = " ".join(text.replace("**", "").split())
    return text if len(text) <= BODY_CHARS else text[: BODY_CHARS - 1].rstrip() + "…"


class PushNotifier:
    """Turns hub events into notifications to the conversation's customer's phones."""

    def __init__(
        self,
        sender: PushSender,
        devices: PushDevices,
        store: ServerStore,
        capacity: int = 10_000,
    ) -> None:
        self.sender = sender
        self.devices = devices
        self.store = store
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=capacity)
        self._worker = threading.Thread(target=self._run, name="tandem-push", daemon=True)
        self._worker.start()

    def observe(self, conversation_id: str, seq: int, event: dict[str, Any]) -> None:
        """Hub observer: queue a notification for the event (never blocks)."""
        notification = notification_for(conversation_id, event)
        if notification is None:
            return
        try:
            self._queue.put_nowait((conversation_id, notification))
        except queue.Full:
            self.failed += 1
            logger.warning("push notification dropped (backlog full)")

    def _run(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            conversation_id, notification = item
            try:
                self._notify(conversation_id, notification)
            except Exception as error:  # one failed push must not stop the worker
                self.failed += 1
                logger.warning("push notification failed: %s", error)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _notify(self, conversation_id: str, notification: Notification) -> None:
        conversation = self.store.get_conversation(conversation_id)
        customer_id = (conversation or {}).get("customer_id")
        if not customer_id:
            return
        devices = self.devices.devices(customer_id)
        if not devices:
            return
        for token in self.sender.send(devices, notification):
            self.devices.forget(token)
        self.sent += len(devices)

    def drain(self) -> None:
        """Wait until every queued notification was handled (tests, shutdown)."""
        self._queue.join()

    def close(self) -> None:
        """Finish the queued notifications and stop the worker."""
        self._queue.put(_STOP)
        self._worker.join(timeout=10)
