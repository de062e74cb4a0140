/** The composer's attach button: pick an image or a PDF, upload it, list what will be sent. */
import { useRef, useState, type ChangeEvent } from "react";
import {
  ATTACHMENT_TYPES,
  MAX_ATTACHMENTS,
  formatSize,
  uploadAttachment,
  type AttachControlProps,
} from "@tandem/client";

export function AttachButton({ conversationId, token, disabled, attached, onChange }: AttachControlProps) {
  const input = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const full = attached.length >= MAX_ATTACHMENTS;

  const onPick = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file || !conversationId) return;
    setError(null);
    setUploading(file.name);
    try {
      const ref = await uploadAttachment(conversationId, file, file.name, token);
      onChange([...attached, ref]);
    } catch (failure) {
      setError(`${file.name}: ${(failure as Error).message}`);
    } finally {
      setUploading(null);
    }
  };

  return (
    <div className="attach">
      <input
        ref={input}
        id="attach-input"
        type="file"
        accept={ATTACHMENT_TYPES.join(",")}
        className="visually-hidden"
        onChange={(event) => void onPick(event)}
        disabled={disabled || uploading !== null || full || !conversationId}
        aria-label="Attach a photo or PDF"
      />
      <button
        type="button"
        className="ghost small"
        onClick={() => input.current?.click()}
        disabled={disabled || uploading !== null || full || !conversationId}
        title={full ? `At most ${MAX_ATTACHMENTS} files per message` : "Attach a photo or PDF"}
      >
        📎 Attach
      </button>
      {uploading && (
        <span className="uploading" role="status">
          <progress aria-label={`Uploading ${uploading}`} /> Uploading {uploading}…
        </span>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {attached.length > 0 && (
        <ul className="pending-attachments" aria-label="Files to send">
          {attached.map((item) => (
            <li key={item.id} className="chip">
              {item.filename} · {formatSize(item.size)}
              <button
                type="button"
                className="ghost small"
                onClick={() => onChange(attached.filter((other) => other.id !== item.id))}
                aria-label={`Remove ${item.filename}`}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
