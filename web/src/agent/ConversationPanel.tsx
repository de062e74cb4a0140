/** One handed-off conversation: transcript with tool calls and sources, orders, AI notes, reply. */
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import type { Session } from "../api/auth";
import { ApiError, api } from "@tandem/client";
import { followStream } from "@tandem/client";
import type { Conversation, Order, QueueEntry, Transcript } from "@tandem/client";
import { OrderSummary } from "../chat/OrderCard";
import { RichText } from "../ui/RichText";
import { AttachmentList } from "../ui/AttachmentChip";
import { humanize } from "../ui/format";
import { CustomerCard } from "./CustomerCard";
import { sentimentClass } from "./QueueList";
import { isTyping } from "./shortcuts";
import { useTypingSignal } from "./typingSignal";
import { AssignmentBar, LabelsCard, MacroPicker, ModelHandover, NotesCard, groupTools } from "./Workspace";

type Action = "claim" | "reply" | "resolve" | "return";

interface Props {
  conversationId: string;
  session: Session;
  onChanged: () => void;
}

export function ConversationPanel({ conversationId, session, onChanged }: Props) {
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState<Action | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const drafted = useRef(false);
  const token = session.token;

  const load = useCallback(async () => {
    try {
      const [value, meta] = await Promise.all([
        api<Transcript>(`/v1/queue/${conversationId}/transcript`, token),
        api<Conversation>(`/v1/conversations/${conversationId}`, token),
      ]);
      setTranscript(value);
      setWaiting(meta.waiting_for_human);
      if (!drafted.current && value.queue?.suggested_reply) {
        setDraft(value.queue.suggested_reply);
        drafted.current = true;
      }
    } catch (reason) {
      setMessage({ tone: "error", text: (reason as Error).message });
    }
  }, [conversationId, token]);

  useEffect(() => {
    drafted.current = false;
    setTranscript(null);
    setOrders(null);
    setDraft("");
    setMessage(null);
    void load();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    void followStream({
      url: `/v1/conversations/${conversationId}/events`,
      token: () => token,
      signal: controller.signal,
      onEvent: (event) => {
        // Reply tokens and typing signals (this agent's own) change nothing in the transcript.
        if (event.type === "token" || event.type === "agent_typing") return;
        clearTimeout(timer);
        timer = setTimeout(() => void load(), 150);
      },
    });
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [conversationId, token, load]);

  const customerId = transcript?.queue?.customer_id;
  useEffect(() => {
    if (!customerId) return;
    api<Order[]>(`/v1/customers/${encodeURIComponent(customerId)}/orders`, token)
      .then(setOrders)
      .catch(() => setOrders([]));
  }, [customerId, token]);

  const reload = () => {
    onChanged();
    void load();
  };

  const act = async (action: Action, event?: FormEvent, withoutMessage = false) => {
    event?.preventDefault();
    setBusy(action);
    setMessage(null);
    try {
      const text = action === "claim" || withoutMessage ? "" : draft.trim();
      await api<QueueEntry>(`/v1/queue/${conversationId}/${action}`, token, { method: "POST", body: action === "claim" ? {} : { text } });
      if (text) setDraft("");
      // resolve and return are announced once, by the closed-conversation banner
      if (action === "claim" || action === "reply") {
        setMessage({ tone: "success", text: action === "claim" ? "You have this conversation." : "Reply sent." });
      }
      onChanged();
      await load();
    } catch (reason) {
      const text = reason instanceof ApiError ? reason.message : "The action failed; please try again.";
      setMessage({ tone: "error", text });
      onChanged();
      await load();
    } finally {
      setBusy(null);
    }
  };

  const actRef = useRef(act);
  actRef.current = act;
  const status = transcript?.queue?.status;
  const holder = transcript?.queue?.claimed_by;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event)) return;
      const owned = status === "claimed" && holder === session.sub;
      if (event.key === "c" && status === "waiting") void actRef.current("claim");
      else if (event.key === "x" && owned && waiting) void actRef.current("resolve", undefined, true);
      else if (event.key === "b" && owned && waiting) void actRef.current("return", undefined, true);
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [status, holder, waiting, session.sub]);
  const typed = useTypingSignal(conversationId, token, status === "claimed" && holder === session.sub);

  if (!transcript) {
    return (
      <section className="panel" aria-busy="true" aria-label="Conversation">
        <p className="muted">Loading conversation…</p>
        {message && <p className={message.tone} role="alert">{message.text}</p>}
      </section>
    );
  }

  const entry = transcript.queue;
  const mine = entry?.status === "claimed" && entry.claimed_by === session.sub;
  const other = entry?.status === "claimed" && !mine ? entry.claimed_by : null;
  const closed = entry?.status === "resolved" || entry?.status === "returned";
  const tools = groupTools(
    transcript.events.flatMap(({ seq, data }) => (data.type === "tool" && data.phase === "end" ? [{ seq, name: data.name, summary: data.summary, ok: data.ok }] : [])),
  );
  const report = (tone: "error" | "success", text: string) => setMessage({ tone, text });

  return (
    <section className="panel" aria-labelledby="panel-title">
      <header className="panel-header">
        <div>
          <h2 id="panel-title">{entry?.customer_id ?? "Guest"}</h2>
          <p className="muted">
            {humanize(entry?.reason)} · {humanize(entry?.intent)} ·{" "}
            <span className={`sentiment-text ${sentimentClass(entry?.sentiment_score ?? null)}`}>
              {humanize(entry?.sentiment_label ?? "neutral")}
            </span>{" "}
            · {entry?.channel ?? "web"}
          </p>
        </div>
        <div className="panel-actions">
          {entry?.status === "waiting" && (
            <button className="primary" onClick={() => act("claim")} disabled={busy !== null}>
              {busy === "claim" ? "Claiming…" : "Claim"}
            </button>
          )}
          {mine && (
            <>
              <button onClick={() => act("return", undefined, true)} disabled={busy !== null || !waiting}>
                Return to bot
              </button>
              <button className="success" onClick={() => act("resolve", undefined, true)} disabled={busy !== null || !waiting}>
                Resolve
              </button>
            </>
          )}
        </div>
      </header>
      {entry && <AssignmentBar entry={entry} session={session} onChanged={reload} report={report} />}
      {other && (
        <p className="banner warn" role="status">
          {other} is handling this conversation.
        </p>
      )}
      {closed && (
        <p className="banner" role="status">
          This conversation was {entry?.status === "resolved" ? "resolved" : "returned to the bot"}.
        </p>
      )}
      {mine && !waiting && (
        <p className="banner" role="status">
          A turn is running on this conversation; you can reply, resolve or return it when it finishes.
        </p>
      )}
      {message && (
        <p className={`banner ${message.tone}`} role={message.tone === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      <div className="panel-grid">
        <div className="transcript-column">
          <h3>Transcript</h3>
          <ol className="transcript" aria-label="Transcript">
            {transcript.messages.map((m) => (
              <li key={m.index} className={`message ${m.role}`}>
                <span className="author">{m.role === "customer" ? "Customer" : m.role === "agent" ? m.author ?? "Agent" : "Tandem assistant"}</span>
                <div className="bubble">
                  <RichText text={m.text} />
                </div>
                <AttachmentList attachments={m.attachments} token={token} />
              </li>
            ))}
          </ol>
          {mine && (
            <form className="reply" onSubmit={(event) => act("reply", event)}>
              <label htmlFor="reply-text">Reply to the customer</label>
              <textarea
                id="reply-text"
                rows={4}
                value={draft}
                onChange={(event) => {
                  setDraft(event.target.value);
                  typed();
                }}
                onKeyDown={(event) => {
                  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
                    event.preventDefault();
                    if (draft.trim() && waiting && busy === null) void act("reply");
                  }
                }}
                maxLength={8000}
                aria-describedby="reply-hint"
              />
              <div className="reply-actions">
                <span className="hint" id="reply-hint">
                  Pre-filled with the AI's suggested reply; edit before sending. Ctrl+Enter (⌘+Enter) sends.
                </span>
                <MacroPicker conversationId={conversationId} token={token} onInsert={setDraft} />
                <span className="reply-buttons">
                  <button type="button" onClick={() => act("resolve")} disabled={busy !== null || !waiting || !draft.trim()}>
                    Send and resolve
                  </button>
                  <button className="primary" type="submit" disabled={busy !== null || !waiting || !draft.trim()}>
                    {busy === "reply" ? "Sending…" : "Send reply"}
                  </button>
                </span>
              </div>
            </form>
          )}
        </div>
        <aside className="context-column" aria-label="Context">
          {transcript.customer && <CustomerCard customer={transcript.customer} current={conversationId} />}
          <NotesCard conversationId={conversationId} token={token} />
          {entry && <LabelsCard entry={entry} token={token} onChanged={reload} />}
          <section className="card">
            <h3>AI summary</h3>
            <p>{entry?.summary ?? "—"}</p>
            <ModelHandover conversationId={conversationId} token={token} onUse={mine ? setDraft : undefined} />
            {entry?.suggested_reply && !mine && (
              <>
                <h4>Suggested reply</h4>
                <p className="muted">{entry.suggested_reply}</p>
              </>
            )}
          </section>
          <section className="card">
            <h3>Tool calls</h3>
            {tools.length ? (
              <ul className="tool-list">
                {tools.map((tool) => (
                  <li key={tool.seq}>
                    <code>{tool.name}</code> {tool.summary}
                    {tool.count > 1 && <span className="tag count-badge"> ×{tool.count}</span>}
                    {!tool.ok && <span className="error"> (failed)</span>}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">None</p>
            )}
          </section>
          {transcript.passages.length > 0 && (
            <section className="card">
              <h3>Sources</h3>
              <ul className="tool-list">
                {transcript.passages.map((passage, index) => (
                  <li key={index}>
                    <a href={`/help/${String(passage.article_id)}`} target="_blank" rel="noopener">
                      {String(passage.title)}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section className="card">
            <h3>Orders</h3>
            {orders === null ? (
              <p className="muted">Loading…</p>
            ) : orders.length ? (
              orders.map((order) => <OrderSummary key={order.order_id} order={order} />)
            ) : (
              <p className="muted">No orders</p>
            )}
          </section>
        </aside>
      </div>
    </section>
  );
}
