"""Customers' attachments over HTTP: upload, the message that carries them, who may download."""

from __future__ import annotations

import random
import struct
import zlib
from typing import Any

import boto3
import pytest

from channels.base import Attachment
from config.settings import Settings
from graphs.turns import turn_config
from tests.server.conftest import Api, parse_sse

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(size: int = 32) -> bytes:
    """A valid PNG of `size` x `size` noisy RGB pixels (noise keeps it from compressing)."""
    noise = random.Random(size)
    rows = b"".join(b"\0" + noise.randbytes(size * 3) for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def upload(
    api: Api, conversation: str, headers: dict[str, str], name: str, data: bytes, kind: str
) -> Any:
    return api.client.post(
        f"/v1/conversations/{conversation}/attachments",
        files={"file": (name, data, kind)},
        headers=headers,
    )


def say_with(
    api: Api, conversation: str, headers: dict[str, str], body: dict[str, Any]
) -> list[dict[str, Any]]:
    with api.client.stream(
        "POST", f"/v1/conversations/{conversation}/messages", json=body, headers=headers
    ) as response:
        assert response.status_code == 200, response.read()
        return parse_sse(response.iter_lines())


def seen_by_model(api: Api, conversation: str) -> str:
    """The customer's latest message as the graph (and so the model) has it."""
    graph = api.client.app.state.runtime.graph  # type: ignore[attr-defined]
    snapshot = api.client.portal.call(graph.aget_state, turn_config(conversation))  # type: ignore[union-attr]
    humans = [m for m in snapshot.values["messages"] if m.type == "human"]
    return str(humans[-1].content)


def test_attached_photo_reaches_the_transcript_and_the_agent(api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    image = png_bytes()
    response = upload(api, conversation, alex, "../my receipt.png", image, "image/png")
    assert response.status_code == 201, response.text
    info = response.json()
    assert info["filename"] == "my_receipt.png"
    assert info["content_type"] == "image/png" and info["size"] == len(image)

    events = say_with(
        api,
        conversation,
        alex,
        {"text": "the parcel arrived broken, get me a human", "attachments": [info["id"]]},
    )
    assert events[0]["type"] == "customer_message"
    assert events[0]["attachments"] == [info]
    assert events[-1]["waiting_for_human"] is True

    assert seen_by_model(api, conversation) == (
        "the parcel arrived broken, get me a human\n\n"
        "[customer attached my_receipt.png (image/png, 3 KB)]"
    )

    transcript = api.client.get(f"/v1/queue/{conversation}/transcript", headers=api.agent()).json()
    first = transcript["messages"][0]
    assert first["text"] == "the parcel arrived broken, get me a human"
    assert first["attachments"] == [info]
    history = api.client.get(f"/v1/conversations/{conversation}/messages", headers=alex).json()
    assert history["items"][0]["attachments"] == [info]

    for headers in (alex, api.agent()):
        download = api.client.get(f"/v1/attachments/{info['id']}", headers=headers)
        assert download.status_code == 200
        assert download.content == image
        assert download.headers["content-type"] == "image/png"
        assert download.headers["x-content-type-options"] == "nosniff"
        assert download.headers["content-disposition"] == 'inline; filename="my_receipt.png"'


def test_a_photo_without_words_goes_to_a_person_who_can_open_it(api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    info = upload(api, conversation, alex, "damage.png", png_bytes(), "image/png").json()

    events = say_with(api, conversation, alex, {"text": "", "attachments": [info["id"]]})
    handoff = next(e for e in events if e["type"] == "handoff")["payload"]
    assert handoff["reason"] == "attachment_only"
    assert "sent files without a message" in handoff["summary"]
    assert events[-1]["waiting_for_human"] is True
    assert "received your file" in events[-1]["reply"]
    queue = api.client.get("/v1/queue", headers=api.agent()).json()
    entry = next(e for e in queue if e["conversation_id"] == conversation)
    assert entry["reason"] == "attachment_only"


def test_a_photo_with_words_is_answered_by_what_the_words_ask(api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    info = upload(api, conversation, alex, "receipt.png", png_bytes(), "image/png").json()
    body = {"text": "what is your return policy?", "attachments": [info["id"]]}
    events = say_with(api, conversation, alex, body)
    assert not [e for e in events if e["type"] == "handoff"]
    assert events[-1]["waiting_for_human"] is False


def test_only_owners_and_agents_after_handoff_download(api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    info = upload(api, conversation, alex, "invoice.pdf", PDF, "application/pdf").json()
    url = f"/v1/attachments/{info['id']}"
    owner = api.client.get(url, headers=alex)
    assert owner.status_code == 200 and owner.content == PDF
    assert owner.headers["content-disposition"] == 'attachment; filename="invoice.pdf"'
    stranger = api.client.get(url, headers=api.customer("yara_garcia_1002"))
    assert stranger.status_code == 404
    assert stranger.json()["code"] == "attachment_not_found"
    agent = api.client.get(url, headers=api.agent())
    assert agent.status_code == 403 and agent.json()["code"] == "not_handed_off"
    assert api.client.get(url).status_code == 401


def test_upload_is_for_the_conversations_customer(api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    image = png_bytes()
    other = upload(api, conversation, api.customer("yara_garcia_1002"), "a.png", image, "image/png")
    assert other.status_code == 404
    api.say(conversation, "get me a human", alex)
    agent = upload(api, conversation, api.agent(), "a.png", image, "image/png")
    assert agent.status_code == 403 and agent.json()["code"] == "forbidden_role"
    missing = upload(api, "nope", alex, "a.png", image, "image/png")
    assert missing.status_code == 404


@pytest.fixture
def small_limit(server_settings: Settings) -> Settings:
    server_settings.attachment_max_bytes = 4096
    return server_settings


def test_limits_and_bad_files_are_clear_problems(small_limit: Settings, api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    big = png_bytes(40)
    assert 4096 < len(big) < 8192
    too_large = upload(api, conversation, alex, "big.png", big, "image/png")
    assert too_large.status_code == 413 and too_large.json()["code"] == "attachment_too_large"
    huge = upload(api, conversation, alex, "huge.png", b"\x89PNG" + b"0" * 40_000, "image/png")
    assert huge.status_code == 413 and huge.json()["code"] == "body_too_large"

    disguised = upload(api, conversation, alex, "photo.png", b"<html><script>", "image/png")
    assert disguised.status_code == 415
    assert disguised.json()["code"] == "unsupported_attachment_type"
    assert disguised.headers["content-type"] == "application/problem+json"
    gif = upload(api, conversation, alex, "a.gif", b"GIF89a" + b"\0" * 20, "image/gif")
    assert gif.status_code == 415
    empty = upload(api, conversation, alex, "empty.pdf", b"", "application/pdf")
    assert empty.status_code == 422 and empty.json()["code"] == "empty_attachment"

    url = f"/v1/conversations/{conversation}/attachments"
    no_file = api.client.post(url, files={"other": ("a.png", big, "image/png")}, headers=alex)
    assert no_file.status_code == 422 and no_file.json()["code"] == "missing_file"
    as_json = api.client.post(url, json={"file": "x"}, headers=alex)
    assert as_json.status_code == 422
    broken = api.client.post(
        url,
        content=b"--xyz\r\nContent-Disposition: form-data; name=file\r\n\r\nabc",
        headers={**alex, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert 400 <= broken.status_code < 500


def test_messages_only_carry_this_conversations_attachments(api: Api) -> None:
    alex = api.customer()
    first = api.new_conversation(alex)
    second = api.new_conversation(alex)
    info = upload(api, first, alex, "a.png", png_bytes(), "image/png").json()
    url = f"/v1/conversations/{second}/messages"
    elsewhere = api.client.post(url, json={"text": "hi", "attachments": [info["id"]]}, headers=alex)
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "attachment_not_found"
    unknown = api.client.post(
        url, json={"text": "hi", "attachments": ["att_" + "0" * 32]}, headers=alex
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "attachment_not_found"
    malformed = api.client.post(url, json={"text": "hi", "attachments": ["../x"]}, headers=alex)
    assert malformed.status_code == 422 and malformed.json()["code"] == "invalid_request"
    nothing = api.client.post(url, json={"text": "", "attachments": []}, headers=alex)
    assert nothing.status_code == 422
    assert api.client.get("/v1/attachments/../../etc/passwd", headers=alex).status_code == 404
    assert api.client.get("/v1/attachments/att_zz", headers=alex).status_code == 404

    only_file = say_with(api, first, alex, {"attachments": [info["id"]]})
    assert only_file[0]["attachments"] == [info] and only_file[-1]["type"] == "done"


def test_a_file_gone_from_storage_is_not_found(api: Api, server_settings: Settings) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    info = upload(api, conversation, alex, "a.png", png_bytes(), "image/png").json()
    stored = server_settings.attachments_dir / "uploads" / info["id"] / "a.png"
    assert stored.read_bytes() == png_bytes()
    stored.unlink()
    gone = api.client.get(f"/v1/attachments/{info['id']}", headers=alex)
    assert gone.status_code == 404 and gone.json()["code"] == "attachment_not_found"


BUCKET = "tandem-attachments"


@pytest.fixture
def on_s3(server_settings: Settings, moto_endpoint: str) -> Any:
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    server_settings.attachment_bucket = BUCKET
    server_settings.s3_endpoint_url = moto_endpoint
    server_settings.aws_region = "us-east-1"
    return s3


@pytest.mark.integration
@pytest.mark.enable_socket
def test_attachments_on_s3(on_s3: Any, api: Api, server_settings: Settings) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    image = png_bytes(64)
    info = upload(api, conversation, alex, "photo.png", image, "image/png").json()
    key = f"attachments/uploads/{info['id']}/photo.png"
    stored = on_s3.get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == image and stored["ContentType"] == "image/png"
    assert not (server_settings.attachments_dir / "uploads").exists()

    download = api.client.get(f"/v1/attachments/{info['id']}", headers=alex)
    assert download.status_code == 200 and download.content == image
    assert api.client.get(f"/v1/attachments/{info['id']}", headers=api.agent()).status_code == 403

    on_s3.delete_object(Bucket=BUCKET, Key=key)
    assert api.client.get(f"/v1/attachments/{info['id']}", headers=alex).status_code == 404


@pytest.mark.integration
@pytest.mark.enable_socket
def test_erasing_the_customer_deletes_their_files_on_s3(on_s3: Any, api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    info = upload(api, conversation, alex, "photo.png", png_bytes(), "image/png").json()
    api.say(conversation, "the parcel arrived like this", alex, attachments=[info["id"]])
    mine = f"attachments/uploads/{info['id']}"  # the bucket outlives this test
    stored = on_s3.list_objects_v2(Bucket=BUCKET, Prefix=mine)
    assert len(stored["Contents"]) == 2  # the file and its record

    admin = api.token("admin", "root")
    erased = api.client.delete("/v1/admin/customers/alex_morgan_1001", headers=admin)
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"]["attachments"] == 1
    assert on_s3.list_objects_v2(Bucket=BUCKET, Prefix=mine)["KeyCount"] == 0


def test_websocket_messages_carry_attachments(api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    info = upload(api, conversation, alex, "a.png", png_bytes(), "image/png").json()
    token = alex["Authorization"].split()[1]
    url = f"/v1/conversations/{conversation}/ws?access_token={token}"
    with api.client.websocket_connect(url) as socket:
        socket.send_json({"type": "message", "text": "x", "attachments": ["att_" + "1" * 32]})
        refused = socket.receive_json()
        socket.send_json({"type": "message", "text": "see photo", "attachments": [info["id"]]})
        events = [socket.receive_json()]
        while events[-1]["type"] != "done":
            events.append(socket.receive_json())
    assert refused["type"] == "error" and refused["code"] == "attachment_not_found"
    assert events[0]["type"] == "customer_message" and events[0]["attachments"] == [info]


def test_a_channel_file_of_another_type_is_only_downloaded(
    api: Api, server_settings: Settings
) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    svg = server_settings.attachments_dir / "mail" / "logo.svg"
    svg.parent.mkdir(parents=True)
    svg.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    uploads = api.client.app.state.runtime.uploads  # type: ignore[attr-defined]
    stored = Attachment("logo.svg", "image/svg+xml", svg.stat().st_size, str(svg))
    upload = api.client.portal.call(uploads.register, conversation, "alex_morgan_1001", stored)  # type: ignore[union-attr]
    served = api.client.get(f"/v1/attachments/{upload.id}", headers=alex)
    assert served.status_code == 200 and served.content == svg.read_bytes()
    assert served.headers["content-disposition"] == 'attachment; filename="logo.svg"'
    assert served.headers["x-content-type-options"] == "nosniff"

    outside = Attachment("passwd", "text/plain", 10, "/etc/passwd")
    escaped = api.client.portal.call(uploads.register, conversation, "alex_morgan_1001", outside)  # type: ignore[union-attr]
    assert api.client.get(f"/v1/attachments/{escaped.id}", headers=alex).status_code == 404


MAIL_BUCKET = "tandem-mail"


@pytest.fixture
def mail_on_s3(server_settings: Settings, moto_endpoint: str) -> Any:
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket=MAIL_BUCKET)
    server_settings.email_attachment_bucket = MAIL_BUCKET
    server_settings.s3_endpoint_url = moto_endpoint
    server_settings.aws_region = "us-east-1"
    return s3


@pytest.mark.integration
@pytest.mark.enable_socket
def test_email_files_in_the_mail_bucket_are_served(mail_on_s3: Any, api: Api) -> None:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    image = png_bytes()
    mail_on_s3.put_object(Bucket=MAIL_BUCKET, Key="attachments/m1/photo.png", Body=image)
    stored = Attachment(
        "photo.png", "image/png", len(image), f"s3://{MAIL_BUCKET}/attachments/m1/photo.png"
    )
    uploads = api.client.app.state.runtime.uploads  # type: ignore[attr-defined]
    upload = api.client.portal.call(uploads.register, conversation, "alex_morgan_1001", stored)  # type: ignore[union-attr]
    served = api.client.get(f"/v1/attachments/{upload.id}", headers=alex)
    assert served.status_code == 200 and served.content == image
    record = mail_on_s3.get_object(Bucket=MAIL_BUCKET, Key=f"attachments/uploads/{upload.id}.json")
    assert b"photo.png" in record["Body"].read()
