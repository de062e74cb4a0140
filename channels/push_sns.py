"""Push notifications through Amazon SNS mobile push (APNs and FCM), for production.

The app registers the phone's native token (APNs on iOS, FCM on Android). Each token gets
one SNS platform endpoint under the platform application configured for its platform
(`CreatePlatformEndpoint` returns the existing endpoint for a token it already knows, so
creating is also looking up); a notification is one `Publish` to that endpoint with a
payload per push service. An endpoint SNS has disabled (the push service said the token is
no longer valid) is deleted and its token forgotten.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cachetools import LRUCache

from channels.push import Notification
from conversations.push_devices import PushDevice

logger = logging.getLogger("tandem.channels.push")

ENDPOINTS_REMEMBERED = 10_000
"""Tokens whose endpoint ARN is kept, so a busy server makes one call per notification
(a forgotten one costs a `CreatePlatformEndpoint`, which returns the same endpoint)."""


def sns_message(notification: Notification) -> str:
    """The `MessageStructure=json` message: a payload for each push service, and a default."""
    alert = {"title": notification.title, "body": notification.body}
    apns = json.dumps({"aps": {"alert": alert, "sound": "default"}, **notification.data})
    fcm = json.dumps(
        {
            "notification": alert,
            "data": {key: str(value) for key, value in notification.data.items()},
            "android": {"priority": "high"},
        }
    )
    return json.dumps(
        {"default": notification.body, "APNS": apns, "APNS_SANDBOX": apns, "GCM": fcm}
    )


class SnsPush:
    """Amazon SNS mobile push (a boto3 SNS client) for the platforms given an application."""

    def __init__(self, client: Any, applications: dict[str, str]) -> None:
        self.client = client
        self.applications = applications
        """Platform (`ios`, `android`) → SNS platform application ARN."""
        self._endpoints: LRUCache[str, str] = LRUCache(maxsize=ENDPOINTS_REMEMBERED)

    def _endpoint(self, application: str, token: str) -> str:
        found = self._endpoints.get(token)
        if found is None:
            response = self.client.create_platform_endpoint(
                PlatformApplicationArn=application, Token=token
            )
            found = self._endpoints[token] = str(response["EndpointArn"])
        return found

    def send(self, devices: list[PushDevice], notification: Notification) -> list[str]:
        """Publish to each device's endpoint; the tokens whose endpoint SNS disabled."""
        gone: list[str] = []
        message = sns_message(notification)
        for device in devices:
            application = self.applications.get(device.platform)
            if application is None:
                logger.warning("no SNS platform application for %s phones", device.platform)
                continue
            endpoint = self._endpoint(application, device.token)
            try:
                self.client.publish(TargetArn=endpoint, MessageStructure="json", Message=message)
            except self.client.exceptions.EndpointDisabledException:
                logger.info("push endpoint disabled; forgetting its token")
                self.client.delete_endpoint(EndpointArn=endpoint)
                self._endpoints.pop(device.token, None)
                gone.append(device.token)
        return gone

    def close(self) -> None:
        """Nothing to close (the boto3 client has no open connection to give back)."""
