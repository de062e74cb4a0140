/** An attached file in a message: a thumbnail for images, a document chip for PDFs; opens it. */
import { useEffect, useState } from "react";
import { fetchAttachment, formatSize, isImage, opensInBrowser, type AttachmentRef } from "@tandem/client";

const canMakeUrls = () => typeof URL !== "undefined" && typeof URL.createObjectURL === "function";

/** One attachment, fetched with the bearer token (a plain link could not send it). */
export function AttachmentChip({ attachment, token }: { attachment: AttachmentRef; token: string }) {
  const [thumbnail, setThumbnail] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const image = isImage(attachment);

  useEffect(() => {
    if (!image || !canMakeUrls()) return;
    const controller = new AbortController();
    let made: string | null = null;
    fetchAttachment(attachment.id, token, controller.signal)
      .then((blob) => {
        made = URL.createObjectURL(blob);
        setThumbnail(made);
      })
      .catch(() => {
        if (!controller.signal.aborted) setFailed(true);
      });
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [attachment.id, token, image]);

  const open = async () => {
    try {
      const blob = await fetchAttachment(attachment.id, token);
      if (!canMakeUrls()) return;
      const url = URL.createObjectURL(blob);
      if (opensInBrowser(attachment)) window.open(url, "_blank", "noopener");
      else {
        const link = document.createElement("a");
        link.href = url;
        link.download = attachment.filename;
        link.click();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch {
      setFailed(true);
    }
  };

  const size = formatSize(attachment.size);
  return (
    <button
      type="button"
      className={`attachment-chip${failed ? " failed" : ""}`}
      onClick={() => void open()}
    >
      {thumbnail ? (
        <img src={thumbnail} alt="" className="attachment-thumb" />
      ) : (
        <span className="attachment-icon" aria-hidden="true">
          {image ? "🖼" : "📄"}
        </span>
      )}
      <span className="attachment-name">{attachment.filename}</span>{" "}
      <span className="attachment-size">{failed ? "unavailable" : size}</span>
      <span className="visually-hidden"> ({attachment.content_type}), open</span>
    </button>
  );
}

/** A message's attachments as a list of chips (nothing when there are none). */
export function AttachmentList({ attachments, token }: { attachments?: AttachmentRef[]; token: string }) {
  if (!attachments?.length) return null;
  return (
    <ul className="attachments" aria-label="Attachments">
      {attachments.map((attachment) => (
        <li key={attachment.id}>
          <AttachmentChip attachment={attachment} token={token} />
        </li>
      ))}
    </ul>
  );
}
