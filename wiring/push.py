"""The mobile app's server side: registered phones, exactly-once messages, push notifications."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from channels.push import ExpoPush, PushNotifier, PushSender
from config.settings import Settings
from conversations.client_messages import ClientMessages, SqliteClientMessages
from conversations.hub import EventHub
from conversations.push_devices import PushDevices, SqlitePushDevices
from conversations.store import ServerStore


@dataclass
class Devices:
    """What the device and message routes use, and the notifier watching the hub."""

    devices: PushDevices
    client_messages: ClientMessages
    notifier: PushNotifier | None


def _open_stores(settings: Settings) -> tuple[PushDevices, ClientMessages]:
    """Beside the server store: a SQLite file, or the DynamoDB server table."""
    if settings.server_store_backend == "dynamodb":
        from cloud.aws import aws_client
        from conversations.client_messages_dynamodb import DynamoDBClientMessages
        from conversations.push_devices_dynamodb import DynamoDBPushDevices

        region, endpoint = settings.aws_region, settings.dynamodb_endpoint_url
        return (
            DynamoDBPushDevices(aws_client("dynamodb", region, endpoint), settings.server_table),
            DynamoDBClientMessages(aws_client("dynamodb", region, endpoint), settings.server_table),
        )
    return SqlitePushDevices(settings.devices_db), SqliteClientMessages(settings.devices_db)


def _sender(settings: Settings) -> PushSender | None:
    """The push service the settings name, or None when push is off."""
    if settings.push_provider == "expo":
        token = settings.expo_access_token
        return ExpoPush(settings.expo_push_url, token.get_secret_value() if token else None)
    if settings.push_provider == "sns":
        from channels.push_sns import SnsPush
        from cloud.aws import aws_client

        client = aws_client("sns", settings.aws_region, settings.sns_endpoint_url)
        applications = {
            str(platform): arn for platform, arn in settings.sns_platform_applications.items()
        }
        return SnsPush(client, applications)
    return None


@contextlib.contextmanager
def open_devices(settings: Settings, hub: EventHub, store: ServerStore) -> Iterator[Devices]:
    """Open the stores and, unless push is off, start notifying from `hub`'s events."""
    devices, client_messages = _open_stores(settings)
    notifier = None
    sender = _sender(settings)
    if sender is not None:
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
