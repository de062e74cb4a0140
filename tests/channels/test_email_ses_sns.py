"""SES receiving over SNS: signed notifications (v1 and v2), raw mail from S3 on moto_server.

Notifications are signed here exactly as SNS signs them, with a test key whose certificate a
loopback HTTP server hands out (the signing-certificate URL prefix is configured for it).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from server.app import create_app
from tests.channels.conftest import EmailApi, customer_mail

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

TOPIC = "arn:aws:sns:us-east-1:123456789012:tandem-inbound-mail"
BUCKET = "tandem-inbound-mail"


def _certificate(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.us-east-1.amazonaws.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


class CertServer:
    """Serves the signing certificate and records subscription confirmations."""

    def __init__(self, pem: bytes) -> None:
        self.confirmed: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/SimpleNotificationService-test.pem":
                    body = pem
                elif self.path.startswith("/confirm"):
                    owner.confirmed.append(self.path)
                    body = b"<ConfirmSubscriptionResponse/>"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def cert_server(signing_key) -> Iterator[CertServer]:
    server = CertServer(_certificate(signing_key))
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture
def s3(moto_endpoint: str) -> Any:
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_endpoint)
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def sns_api(email_settings, services, cert_server, moto_endpoint) -> Iterator[EmailApi]:
    email_settings.s3_endpoint_url = moto_endpoint
    email_settings.email_sns_certificate_prefix = cert_server.base
    email_settings.email_sns_topic_arns = [TOPIC]
    with TestClient(create_app(email_settings, services)) as client:
        yield EmailApi(client, email_settings)


def canonical(message: dict[str, str]) -> bytes:
    """The string SNS signs, built from AWS's documented field lists."""
    if message["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{n}\n{message[n]}\n" for n in names if n in message).encode()


def signed(
    key, cert_url: str, fields: dict[str, str], version: str = "1", topic: str = TOPIC
) -> dict[str, str]:
    message = {
        "MessageId": str(uuid.uuid4()),
        "TopicArn": topic,
        "Timestamp": datetime.datetime.now(datetime.UTC).isoformat(),
        **fields,
    }
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = key.sign(canonical(message), padding.PKCS1v15(), digest)
    return {
        **message,
        "SignatureVersion": version,
        "Signature": base64.b64encode(signature).decode(),
        "SigningCertURL": cert_url,
    }


def receipt(key: str, dkim: str = "PASS", spf: str = "PASS", sender: str = "") -> str:
    return json.dumps(
        {
            "notificationType": "Received",
            "mail": {"source": sender, "messageId": key},
            "receipt": {
                "spamVerdict": {"status": "PASS"},
                "virusVerdict": {"status": "PASS"},
                "spfVerdict": {"status": spf},
                "dkimVerdict": {"status": dkim},
                "dmarcVerdict": {"status": "PASS"},
                "action": {"type": "S3", "bucketName": BUCKET, "objectKey": key},
            },
        }
    )


def _post(api: EmailApi, message: dict[str, str]):
    return api.client.post(
        "/v1/channels/email/sns",
        content=json.dumps(message),
        headers={"x-amz-sns-message-type": message.get("Type", ""), "content-type": "text/plain"},
    )


@pytest.mark.parametrize("version", ["1", "2"])
def test_signed_notification_reads_s3_and_the_reply_goes_out(
    sns_api, relay, s3, signing_key, cert_server, alex_email, version
):
    mail = customer_mail(alex_email, "Where is my order #W1234567?")
    key = f"inbound/{uuid.uuid4().hex}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=mail.as_bytes())
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    fields = {
        "Type": "Notification",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": receipt(key, sender=alex_email),
    }
    response = _post(sns_api, signed(signing_key, cert_url, fields, version))
    assert response.status_code == 200, response.text
    [reply] = relay.wait_for(1)
    assert reply["In-Reply-To"] == mail["Message-ID"] and reply["To"] == alex_email
    [conversation] = sns_api.email_conversations()
    assert sns_api.runtime.store.get_conversation(conversation)["customer_id"] == "alex_morgan_1001"


def test_failed_dkim_and_spf_make_the_sender_a_guest(
    sns_api, relay, s3, signing_key, cert_server, alex_email
):
    mail = customer_mail(alex_email, "Cancel my order #W1234567")
    key = f"inbound/{uuid.uuid4().hex}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=mail.as_bytes())
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    verdicts = receipt(key, dkim="FAIL", spf="FAIL", sender=alex_email)
    fields = {"Type": "Notification", "Message": verdicts}
    assert _post(sns_api, signed(signing_key, cert_url, fields)).status_code == 200
    relay.wait_for(1)
    [conversation] = sns_api.email_conversations()
    assert sns_api.runtime.store.get_conversation(conversation)["customer_id"] is None


def test_tampered_message_is_rejected(sns_api, relay, s3, signing_key, cert_server, alex_email):
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    message = signed(signing_key, cert_url, {"Type": "Notification", "Message": receipt("k")})
    message["Message"] = receipt("other-key")
    response = _post(sns_api, message)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_signature"
    assert sns_api.email_conversations() == []


def test_foreign_key_and_untrusted_certificate_url_are_rejected(sns_api, cert_server):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    forged = signed(other, cert_url, {"Type": "Notification", "Message": receipt("k")})
    assert _post(sns_api, forged).json()["code"] == "invalid_signature"
    elsewhere = signed(
        other, "https://evil.example/cert.pem", {"Type": "Notification", "Message": receipt("k")}
    )
    response = _post(sns_api, elsewhere)
    assert response.status_code == 403 and response.json()["code"] == "untrusted_certificate"


def test_malformed_bodies_get_400(sns_api):
    response = sns_api.client.post("/v1/channels/email/sns", content=b"not json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_sns_message"
    response = sns_api.client.post("/v1/channels/email/sns", json={"Type": "Notification"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_sns_message"


def test_other_topics_are_refused(sns_api, signing_key, cert_server):
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    fields = {"Type": "Notification", "Message": receipt("k")}
    message = signed(signing_key, cert_url, fields, topic=TOPIC + "-other")
    response = _post(sns_api, message)
    assert response.status_code == 403 and response.json()["code"] == "unknown_topic"


def test_bounce_notifications_start_nothing(sns_api, s3, signing_key, cert_server, alex_email):
    mail = customer_mail(alex_email, "Delivery Status Notification (Failure)")
    key = f"inbound/{uuid.uuid4().hex}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=mail.as_bytes())
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    fields = {"Type": "Notification", "Message": receipt(key, sender="")}
    assert _post(sns_api, signed(signing_key, cert_url, fields)).status_code == 200
    intake = sns_api.channels.extras["email_intake"]
    deadline = time.monotonic() + 30
    while not intake.ignored and time.monotonic() < deadline:
        time.sleep(0.05)
    assert intake.ignored == {"bounce": 1}
    assert sns_api.email_conversations() == []


def test_subscription_is_confirmed(sns_api, signing_key, cert_server):
    cert_url = cert_server.base + "SimpleNotificationService-test.pem"
    fields = {
        "Type": "SubscriptionConfirmation",
        "Message": "You have chosen to subscribe to the topic.",
        "SubscribeURL": cert_server.base + "confirm?Token=abc",
        "Token": "abc",
    }
    response = _post(sns_api, signed(signing_key, cert_url, fields, "2"))
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    while not cert_server.confirmed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cert_server.confirmed == ["/confirm?Token=abc"]
