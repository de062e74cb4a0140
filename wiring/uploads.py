"""Customers' attachments from the settings: a local folder, or an S3 bucket when one is set."""

from __future__ import annotations

from channels.attachments import FileStore, LocalFiles, S3Files
from channels.uploads import Uploads
from cloud.aws import aws_client
from config.settings import Settings


def uploads_from_settings(settings: Settings) -> Uploads:
    """The attachment store, size limit and accepted types the settings name."""
    files: FileStore
    # with email attachments on S3 the records go there too, so they can be read back
    bucket = settings.attachment_bucket or settings.email_attachment_bucket
    if bucket:
        s3 = aws_client("s3", settings.aws_region, settings.s3_endpoint_url)
        files = S3Files(s3, bucket)
    else:
        files = LocalFiles(settings.attachments_dir)
    return Uploads(files, settings.attachment_max_bytes, tuple(settings.attachment_types))
