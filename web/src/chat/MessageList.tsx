/** The transcript: messages, tool status lines, notices, order cards and source links. */
import { useEffect, useRef, type ReactNode } from "react";
import { RichText } from "../ui/RichText";
import { AttachmentList } from "../ui/AttachmentChip";
import type { ChatItem } from "@tandem/client";
import { OrderCard } from "./OrderCard";

/** The articles a reply names (the drafter cites its sources), else the two best matches. */
export function citedSources(item: Extract<ChatItem, { kind: "message" }>) {
  const all = item.sources ?? [];
  const cited = all.filter((source) => item.text.includes(source.title));
  return cited.length ? cited : all.slice(0, 2);
}

function Sources({ item }: { item: Extract<ChatItem, { kind: "message" }> }) {
  const sources = citedSources(item);
  if (!sources.length) return null;
  return (
    <nav className="sources" aria-label="Sources">
      <span>Sources:</span>
      <ul>
        {sources.map((source) => (
          <li key={source.article_id}>
            <a href={source.url} target="_blank" rel="noopener">
              {source.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const SOURCE_LINE = /\n+Sources?: [^\n]*$/;

/** The text to show: a reply's closing "Source: ..." line (kept for text-only channels) is
 * left out when its sources are shown as links below it, so the chat names them once. */
export function shownText(item: Extract<ChatItem, { kind: "message" }>): string {
  return item.sources?.length ? item.text.replace(SOURCE_LINE, "") : item.text;
}

function Bubble({ item, token }: { item: Extract<ChatItem, { kind: "message" }>; token: string }) {
  const who = item.role === "customer" ? "You" : item.role === "agent" ? (item.author ?? "Support agent") : "Tandem assistant";
  return (
    <li className={`message ${item.role}`} aria-busy={item.streaming ? true : undefined}>
      <span className="author">{who}</span>
      <div className="bubble">
        <RichText text={shownText(item)} />
        {item.streaming && <span className="cursor" aria-hidden="true" />}
      </div>
      <AttachmentList attachments={item.attachments} token={token} />
      {!item.streaming &&
        item.orders?.map((orderId) => <OrderCard key={orderId} orderId={orderId} token={token} seen={item.orderCards?.[orderId]} />)}
      {!item.streaming && <Sources item={item} />}
    </li>
  );
}

interface ListProps {
  items: ChatItem[];
  token: string;
  busy: boolean;
  /** Shown after the conversation (the satisfaction survey), kept in view like a message. */
  footer?: ReactNode;
}

export function MessageList({ items, token, busy, footer }: ListProps) {
  const end = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [items]);
  // Order cards, sources and the survey appear after their message: keep the newest in view.
  useEffect(() => {
    if (!list.current || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => end.current?.scrollIntoView?.({ block: "end" }));
    observer.observe(list.current);
    return () => observer.disconnect();
  }, []);
  const lastStatus = [...items].reverse().find((item) => item.kind === "status" || item.kind === "notice");
  return (
    <div ref={list}>
      <div role="log" aria-label="Conversation" aria-live="polite" aria-relevant="additions" aria-busy={busy}>
      <ol className="messages">
        {items.map((item) => {
          if (item.kind === "message") return <Bubble key={item.key} item={item} token={token} />;
          if (item.kind === "status")
            return (
              <li key={item.key} className={`status-line${item.done ? " done" : ""}${item.ok ? "" : " failed"}`}>
                <span className="status-icon" aria-hidden="true">
                  {item.done ? (item.ok ? "✓" : "!") : ""}
                </span>
                {item.text}
              </li>
            );
          return (
            <li key={item.key} className={`notice ${item.tone}`}>
              {item.text}
            </li>
          );
        })}
        {busy && !items.some((item) => item.kind === "message" && item.streaming) && (
          <li className="typing" aria-label="The assistant is typing">
            <span />
            <span />
            <span />
          </li>
        )}
      </ol>
      </div>
      {footer}
      <div ref={end} aria-hidden="true" className="end" />
      <p className="visually-hidden" role="status" aria-live="polite">
        {lastStatus?.kind === "status" || lastStatus?.kind === "notice" ? lastStatus.text : ""}
      </p>
    </div>
  );
}
