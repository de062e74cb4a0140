"""Attachments: customers upload files to their conversation; owners and agents download them.

Who may download an attachment is decided exactly as for its conversation's transcript:
the customer who owns it, agents once it is handed off, admins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from channels.attachments import MissingFile
from channels.uploads import Upload, UploadRejected, Uploads
from server.deps import Caller, RuntimeDep, conversation_for
from server.openapi_docs import AUTHENTICATED, problem_responses
from server.problems import ApiError
from server.runtime import ServerRuntime
from server.schemas import AttachmentInfo

router = APIRouter(tags=["attachments"])

FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, with its recognised type.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def uploads_of(runtime: ServerRuntime) -> Uploads:
    """The server's attachment store; 503 when it has none."""
    if runtime.uploads is None:
        raise ApiError(503, "attachments_unavailable", "Attachments are not available here.")
    return runtime.uploads


def _not_found(attachment_id: str) -> ApiError:
    return ApiError(404, "attachment_not_found", f"No attachment {attachment_id}.")


async def attached_refs(
    runtime: ServerRuntime, conversation_id: str, attachment_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The refs of a message's attachments; 404 when one is unknown or from elsewhere."""
    if not attachment_ids:
        return []
    uploads = uploads_of(runtime)
    refs: list[dict[str, Any]] = []
    for attachment_id in dict.fromkeys(attachment_ids):
        upload = await asyncio.to_thread(uploads.get, attachment_id)
        if upload is None or upload.conversation_id != conversation_id:
            raise ApiError(
                404,
                "attachment_not_found",
                f"No attachment {attachment_id} was uploaded to this conversation.",
            )
        refs.append(upload.ref())
    return refs


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "An image (PNG, JPEG, WebP) or a PDF.",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/v1/conversations/{conversation_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*AUTHENTICATED, 400, 404, 415),
    openapi_extra=UPLOAD_BODY,
)
async def upload_attachment(
    conversation_id: str, request: Request, caller: Caller, runtime: RuntimeDep
) -> AttachmentInfo:
    """Attach a file to the caller's conversation; send its id with the next message.

    The type is recognised from the file's content; the size limit and the accepted types
    are settings (`TANDEM_ATTACHMENT_MAX_BYTES`, `TANDEM_ATTACHMENT_TYPES`). The form is read
    here, after the conversation is checked, so a caller who may not upload learns nothing
    from how their form was built.
    """
    conversation = conversation_for(runtime, conversation_id, caller)
    if caller.role != "customer" and not caller.is_admin:
        raise ApiError(403, "forbidden_role", "Only the conversation's customer attaches files.")
    uploads = uploads_of(runtime)
    async with request.form(max_files=1, max_fields=20) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise ApiError(422, "missing_file", "Send the file as the multipart field `file`.")
        data = await file.read(uploads.max_bytes + 1)
        filename = file.filename or ""
    try:
        upload = await uploads.add(conversation_id, conversation["customer_id"], filename, data)
    except UploadRejected as error:
        raise ApiError(error.status, error.code, error.detail) from None
    return AttachmentInfo.model_validate(upload.ref())


INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
"""Types a browser may show in place; anything else (an email's SVG or HTML) is downloaded."""


def _headers(upload: Upload) -> dict[str, str]:
    shown = "inline" if upload.content_type in INLINE_TYPES else "attachment"
    return {
        "Content-Disposition": f'{shown}; filename="{upload.filename}"',
        "Content-Length": str(upload.size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }


@router.get(
    "/v1/attachments/{attachment_id}",
    response_class=StreamingResponse,
    responses={**FILE_RESPONSE, **problem_responses(*AUTHENTICATED, 404)},
)
async def download_attachment(
    attachment_id: str, caller: Caller, runtime: RuntimeDep
) -> StreamingResponse:
    """The attached file, to its conversation's customer and (once handed off) to agents."""
    uploads = uploads_of(runtime)
    upload = await asyncio.to_thread(uploads.get, attachment_id)
    if upload is None:
        raise _not_found(attachment_id)
    try:
        conversation_for(runtime, upload.conversation_id, caller)
    except ApiError as error:
        if error.status_code == 404:
            raise _not_found(attachment_id) from None
        raise
    try:
        chunks = await asyncio.to_thread(uploads.open_chunks, upload)
    except MissingFile:
        raise _not_found(attachment_id) from None
    return StreamingResponse(chunks, media_type=upload.content_type, headers=_headers(upload))
