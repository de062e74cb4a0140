/** The agent workspace around a conversation: assignment, internal notes, labels, macros. */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { Session } from "../api/auth";
import { ApiError, api } from "@tandem/client";
import type { Macro, Note, Priority, QueueEntry, RenderedMacro } from "@tandem/client";

type Report = (tone: "error" | "success", text: string) => void;

function failure(reason: unknown): string {
  return reason instanceof ApiError ? reason.message : "The action failed; please try again.";
}

interface AssignmentProps {
  entry: QueueEntry;
  session: Session;
  onChanged: () => void;
  report: Report;
}

/** Unclaim, reassign to another agent, or (admins) take over. */
export function AssignmentBar({ entry, session, onChanged, report }: AssignmentProps) {
  const [to, setTo] = useState("");
  const admin = session.role === "admin";
  const mine = entry.status === "claimed" && entry.claimed_by === session.sub;
  const path = `/v1/queue/${entry.conversation_id}`;
  const run = async (action: string, body: unknown, done: string) => {
    try {
      await api<QueueEntry>(`${path}/${action}`, session.token, { method: "POST", body });
      report("success", done);
      setTo("");
    } catch (reason) {
      report("error", failure(reason));
    }
    onChanged();
  };
  if (entry.status === "resolved" || entry.status === "returned") return null;
  return (
    <div className="assignment" role="group" aria-label="Assignment">
      {(mine || (admin && entry.status === "claimed")) && (
        <>
          <button type="button" onClick={() => run("unclaim", {}, "Back in the queue.")}>
            Unclaim
          </button>
          <form
            className="inline"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              if (to.trim()) void run("reassign", { agent: to.trim() }, `Reassigned to ${to.trim()}.`);
            }}
          >
            <label htmlFor="reassign-to">Reassign to</label>
            <input id="reassign-to" value={to} onChange={(event) => setTo(event.target.value)} placeholder="agent id" size={10} />
            <button type="submit" disabled={!to.trim()}>
              Reassign
            </button>
          </form>
        </>
      )}
      {admin && !mine && (
        <button type="button" onClick={() => run("takeover", undefined, "You have taken this conversation over.")}>
          Take over
        </button>
      )}
    </div>
  );
}

/** Internal notes: agents only, never sent to the customer or the model. */
export function NotesCard({ conversationId, token }: { conversationId: string; token: string }) {
  const [notes, setNotes] = useState<Note[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const url = `/v1/queue/${conversationId}/notes`;
  const load = useCallback(() => {
    api<Note[]>(url, token)
      .then(setNotes)
      .catch((reason) => setError(failure(reason)));
  }, [url, token]);
  useEffect(load, [load]);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api<Note>(url, token, { body: { text: text.trim() } });
      setText("");
      setError(null);
      load();
    } catch (reason) {
      setError(failure(reason));
    }
  };
  return (
    <section className="card notes" aria-labelledby="notes-title">
      <h3 id="notes-title">Internal notes</h3>
      <p className="hint">Seen by agents only; never sent to the customer or the AI.</p>
      {notes.length ? (
        <ul className="tool-list" aria-label="Internal notes">
          {notes.map((note) => (
            <li key={note.id}>
              <strong>{note.author}</strong>: {note.text}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No notes yet</p>
      )}
      <form onSubmit={add}>
        <label htmlFor="note-text">Add a note</label>
        <textarea id="note-text" rows={2} value={text} maxLength={4000} onChange={(event) => setText(event.target.value)} />
        <button type="submit" disabled={!text.trim()}>
          Add note
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

const PRIORITIES: Priority[] = ["low", "normal", "high", "urgent"];

/** Tags and priority of the queue entry. */
export function LabelsCard({ entry, token, onChanged }: { entry: QueueEntry; token: string; onChanged: () => void }) {
  const saved = entry.tags.join(", ");
  const [tags, setTags] = useState(saved);
  const [error, setError] = useState<string | null>(null);
  // Each reload of the transcript brings a new tags array: only a change of the tags
  // themselves replaces what the agent is typing.
  useEffect(() => setTags(saved), [saved]);
  const save = async (body: { tags?: string[]; priority?: Priority }) => {
    try {
      await api<QueueEntry>(`/v1/queue/${entry.conversation_id}/labels`, token, { method: "PATCH", body });
      setError(null);
    } catch (reason) {
      setError(failure(reason));
    }
    onChanged();
  };
  return (
    <section className="card" aria-labelledby="labels-title">
      <h3 id="labels-title">Tags and priority</h3>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save({ tags: tags.split(",").map((tag) => tag.trim()).filter(Boolean) });
        }}
      >
        <label htmlFor="tags-input">Tags (comma separated)</label>
        <input id="tags-input" value={tags} onChange={(event) => setTags(event.target.value)} />
        <button type="submit">Save tags</button>
      </form>
      <label htmlFor="priority-select">Priority</label>{" "}
      <select id="priority-select" value={entry.priority} onChange={(event) => void save({ priority: event.target.value as Priority })}>
        {PRIORITIES.map((priority) => (
          <option key={priority} value={priority}>
            {priority}
          </option>
        ))}
      </select>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** Pick a canned response; it is filled in for this conversation and put in the reply box. */
export function MacroPicker({ conversationId, token, onInsert }: { conversationId: string; token: string; onInsert: (text: string) => void }) {
  const [macros, setMacros] = useState<Macro[]>([]);
  const [missing, setMissing] = useState<string[]>([]);
  useEffect(() => {
    api<Macro[]>("/v1/macros", token)
      .then(setMacros)
      .catch(() => setMacros([]));
  }, [token]);
  if (!macros.length) return null;
  const pick = async (id: string) => {
    if (!id) return;
    const rendered = await api<RenderedMacro>(`/v1/queue/${conversationId}/macros/${id}`, token, { method: "POST" });
    setMissing(rendered.missing);
    onInsert(rendered.text);
  };
  return (
    <span className="macro-picker">
      <label htmlFor="macro-select">Canned response</label>{" "}
      <select id="macro-select" value="" onChange={(event) => void pick(event.target.value)}>
        <option value="">Insert…</option>
        {macros.map((macro) => (
          <option key={macro.id} value={macro.id}>
            {macro.title}
          </option>
        ))}
      </select>
      {missing.length > 0 && <span className="hint"> Fill in: {missing.map((name) => `{${name}}`).join(", ")}</span>}
    </span>
  );
}

export interface ToolLine {
  seq: number;
  name: string;
  summary: string;
  ok: boolean;
  count: number;
}

/** Tool calls with the same name and outcome shown once, with how many times they ran. */
export function groupTools(tools: Omit<ToolLine, "count">[]): ToolLine[] {
  const lines = new Map<string, ToolLine>();
  for (const tool of tools) {
    const key = `${tool.name}\u0000${tool.summary}\u0000${tool.ok}`;
    const line = lines.get(key);
    if (line) line.count += 1;
    else lines.set(key, { ...tool, count: 1 });
  }
  return [...lines.values()];
}

interface Handover {
  summary: string;
  suggested_reply: string;
  source: "model" | "facts";
}

/** Ask for the model's handover (with a model configured); offer its reply for the box. */
export function ModelHandover({ conversationId, token, onUse }: { conversationId: string; token: string; onUse?: (text: string) => void }) {
  const [note, setNote] = useState<Handover | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ask = async () => {
    setBusy(true);
    try {
      setNote(await api<Handover>(`/v1/queue/${conversationId}/handover`, token, { method: "POST" }));
      setError(null);
    } catch (reason) {
      setError(failure(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="model-handover">
      <button type="button" className="small" onClick={() => void ask()} disabled={busy}>
        {busy ? "Asking…" : "Ask the AI for a handover"}
      </button>
      {note && (
        <div role="status">
          <h4>{note.source === "model" ? "Written by the AI from the transcript" : "No model configured: built from the facts"}</h4>
          <p>{note.summary}</p>
          <p className="muted">{note.suggested_reply}</p>
          {onUse && (
            <button type="button" className="small" onClick={() => onUse(note.suggested_reply)}>
              Use this reply
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
