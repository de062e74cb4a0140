/**
 * Files a customer attaches: upload one to the conversation (the server answers with its
 * id, name, recognised type and size), then send the ids with the next message. Reading a
 * file back needs the bearer token, so images are fetched as blobs rather than linked.
 */
import { apiFetch, apiUpload, problemOf } from "./client";
import type { AttachmentRef } from "./events";

/** A file to upload: a browser `Blob`/`File`, or a React Native file (its `uri`, name and type). */
export type UploadSource = Blob | { uri: string; name: string; type: string };

/** Most files one message carries (the server refuses more). */
export const MAX_ATTACHMENTS = 5;

/** What an app's attach control is given: where to upload and the files picked so far. */
export interface AttachControlProps {
  conversationId: string | null;
  token: string;
  disabled: boolean;
  /** The files uploaded and not yet sent. */
  attached: AttachmentRef[];
  onChange: (attached: AttachmentRef[]) => void;
}

/** Types the server accepts by default (it checks the content, not this list). */
export const ATTACHMENT_TYPES = ["image/png", "image/jpeg", "image/webp", "application/pdf"];

/** Upload one file to the conversation; throws ApiError (413 too large, 415 wrong type, ...). */
export async function uploadAttachment(
  conversationId: string,
  file: UploadSource,
  filename: string,
  token: string,
  signal?: AbortSignal,
): Promise<AttachmentRef> {
  const form = new FormData();
  if (typeof Blob !== "undefined" && file instanceof Blob) form.append("file", file, filename);
  // React Native's FormData takes a { uri, name, type } part and streams the file itself
  else form.append("file", file as unknown as Blob);
  const response = await apiUpload(`/v1/conversations/${encodeURIComponent(conversationId)}/attachments`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    body: form,
    signal,
  });
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as AttachmentRef;
}

/** The API path of an attachment's bytes. */
export function attachmentPath(id: string): string {
  return `/v1/attachments/${encodeURIComponent(id)}`;
}

/** An attachment's bytes (for a thumbnail or to open it); throws ApiError when refused. */
export async function fetchAttachment(id: string, token: string, signal?: AbortSignal): Promise<Blob> {
  const response = await apiFetch(attachmentPath(id), { headers: { Authorization: `Bearer ${token}` }, signal });
  if (!response.ok) throw await problemOf(response);
  return await response.blob();
}

/** Images shown as thumbnails; other types (an email's SVG, say) are only ever downloaded. */
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];

/** Whether the attachment is a raster image (shown as a thumbnail) rather than a document. */
export function isImage(attachment: Pick<AttachmentRef, "content_type">): boolean {
  return IMAGE_TYPES.includes(attachment.content_type);
}

/** Whether the browser may open the attachment in a tab (images, PDFs); else it is saved. */
export function opensInBrowser(attachment: Pick<AttachmentRef, "content_type">): boolean {
  return isImage(attachment) || attachment.content_type === "application/pdf";
}

/** `532 bytes`, `120 KB`, `2.4 MB`: the sizes the server's note to the model uses too. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
