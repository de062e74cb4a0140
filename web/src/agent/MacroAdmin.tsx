/** Canned responses for admins: list, create or replace, delete. */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { ApiError, api } from "@tandem/client";
import type { Macro } from "@tandem/client";

const EMPTY = { id: "", title: "", body: "" };

export function MacroAdmin({ token, onClose }: { token: string; onClose: () => void }) {
  const [macros, setMacros] = useState<Macro[]>([]);
  const [form, setForm] = useState(EMPTY);
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const load = useCallback(() => {
    api<Macro[]>("/v1/macros", token)
      .then(setMacros)
      .catch(() => setMacros([]));
  }, [token]);
  useEffect(load, [load]);

  const run = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      setMessage({ tone: "success", text: done });
      load();
    } catch (reason) {
      setMessage({ tone: "error", text: reason instanceof ApiError ? reason.message : "The change failed." });
    }
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api<Macro>(`/v1/macros/${encodeURIComponent(form.id)}`, token, { method: "PUT", body: { title: form.title, body: form.body } });
      setForm(EMPTY);
    }, `Saved “${form.title}”.`);
  };

  return (
    <section className="card macro-admin" aria-labelledby="macro-admin-title">
      <h2 id="macro-admin-title">Canned responses</h2>
      <p className="hint">
        Variables: <code>{"{customer_name}"}</code>, <code>{"{first_name}"}</code>, <code>{"{order_id}"}</code>.
      </p>
      <ul className="tool-list" aria-label="Canned responses">
        {macros.map((macro) => (
          <li key={macro.id}>
            <strong>{macro.title}</strong> <span className="muted">({macro.id})</span>: {macro.body}{" "}
            <button type="button" className="small" onClick={() => setForm({ id: macro.id, title: macro.title, body: macro.body })}>
              Edit {macro.title}
            </button>{" "}
            <button type="button" className="small" onClick={() => void run(() => api<void>(`/v1/macros/${macro.id}`, token, { method: "DELETE" }), `Deleted “${macro.title}”.`)}>
              Delete {macro.title}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={save}>
        <label htmlFor="macro-id">Id (lower case, digits, - and _)</label>
        <input id="macro-id" value={form.id} pattern="[a-z0-9][a-z0-9_\-]{0,63}" required onChange={(event) => setForm({ ...form, id: event.target.value })} />
        <label htmlFor="macro-title">Title</label>
        <input id="macro-title" value={form.title} maxLength={120} required onChange={(event) => setForm({ ...form, title: event.target.value })} />
        <label htmlFor="macro-body">Text</label>
        <textarea id="macro-body" rows={3} value={form.body} maxLength={8000} required onChange={(event) => setForm({ ...form, body: event.target.value })} />
        <span className="reply-buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary">
            Save canned response
          </button>
        </span>
      </form>
      {message && (
        <p className={`banner ${message.tone}`} role={message.tone === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
    </section>
  );
}
