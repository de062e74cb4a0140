"""The mobile app's server side: registered phones, exactly-once messages, push notifications."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from channels.push import ExpoPush, PushNotifier
from config.settings import Settings
from conversations.client_messages import SqliteClientMessages
from conversations.hub import EventHub
from conversations.push_devices import SqlitePushDevices
from conversations.store import ServerStore


@dataclass
class Devices:
    """What the device and message routes use, and the notifier watching the hub."""

    devices: SqlitePushDevices
    client_messages: SqliteClientMessages
    notifier: PushNotifier | None


@contextlib.contextmanager
def open_devices(settings: Settings, hub: EventHub, store: ServerStore) -> Iterator[Devices]:
    """Open the stores and, unless push is off, start notifying from `hub`'s events."""
    devices = SqlitePushDevices(settings.devices_db)
    client_messages = SqliteClientMessages(settings.devices_db)
    notifier = None
    sender = None
    if settings.push_provider == "expo":
        token = settings.expo_access_token
        sender = ExpoPush(settings.expo_push_url, token.get_secret_value() if token else None)
        notifier = PushNotifier(sender, devices, store)
        hub.observers.append(notifier.observe)
    try:
        yield Devices(devices, client_messages, notifier)
    finally:
        if notifier is not None:
            hub.observers.remove(notifier.observe)
            notifier.close()
        if sender is not None:
            sender.close()
        client_messages.close()
        devices.close()
