/** The customer chat: the support portal at /chat and, with ?embed=1, the widget's iframe. */
import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { Session } from "../api/auth";
import { loadSession, saveSession } from "../api/auth";
import { SignIn } from "../ui/SignIn";
import type { AttachmentRef, ChatItem } from "@tandem/client";
import { CsatSurvey } from "./CsatSurvey";
import { MessageList } from "./MessageList";
import { useConversation, type Connection } from "./useConversation";
import { VoiceButton } from "./VoiceButton";
import { AttachButton } from "./AttachButton";

const SUGGESTIONS = ["Where is my order #W1234567?", "How long do refunds take?", "I want to talk to a person"];

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: "Connecting…",
  online: "Online",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export function ChatApp() {
  const embedded = new URLSearchParams(window.location.search).has("embed");
  const [session, setSession] = useState<Session | null>(() => loadSession("chat"));
  const signIn = useCallback((value: Session) => {
    saveSession("chat", value);
    setSession(value);
  }, []);
  const signOut = () => {
    saveSession("chat", null);
    setSession(null);
  };
  return (
    <div className={`chat-shell${embedded ? " embedded" : ""}`}>
      {session ? (
        <Chat session={session} embedded={embedded} onSignOut={signOut} />
      ) : (
        <SignIn
          app="chat"
          title="Chat with support"
          intro="Ask about an order, a return or anything in our help centre."
          roles={["customer"]}
          defaultSub="alex_morgan_1001"
          onSignedIn={signIn}
        />
      )}
    </div>
  );
}

/** In the widget's iframe: Escape closes the widget, and each new reply is announced to the
 * host page (which counts the unread ones on its launcher while the chat is closed). */
function useWidgetBridge(embedded: boolean, items: ChatItem[]) {
  const announced = useRef<number | null>(null);
  useEffect(() => {
    if (!embedded) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === "Escape") window.parent.postMessage({ type: "tandem:close" }, "*");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [embedded]);
  const replies = items.filter((item) => item.kind === "message" && item.role !== "customer" && !item.streaming && !item.fromHistory).length;
  useEffect(() => {
    if (!embedded) return;
    // The history loaded on open is not news; only replies after it are.
    if (announced.current !== null && replies > announced.current) {
      window.parent.postMessage({ type: "tandem:message", count: replies - announced.current }, "*");
    }
    announced.current = replies;
  }, [embedded, replies]);
}

function Chat({ session, embedded, onSignOut }: { session: Session; embedded: boolean; onSignOut: () => void }) {
  const { state, conversationId, connection, failure, send, startOver } = useConversation(session);
  const [text, setText] = useState("");
  const [sendError, setSendError] = useState<string | null>(null);
  const [attached, setAttached] = useState<AttachmentRef[]>([]);
  const input = useRef<HTMLTextAreaElement>(null);
  // Once the conversation is open a message can go: over the socket, or over HTTP while the
  // socket is still connecting (a message typed meanwhile is never silently dropped).
  const canSend = conversationId !== null && !state.turnRunning && !failure;

  useEffect(() => {
    if (canSend) input.current?.focus({ preventScroll: true });
  }, [canSend]);
  useWidgetBridge(embedded, state.items);

  const submit = async (value: string) => {
    const message = value.trim();
    const files = attached;
    if ((!message && !files.length) || !canSend) return;
    setSendError(null);
    setText("");
    setAttached([]);
    try {
      await send(message, files);
    } catch (error) {
      setText(message);
      setAttached(files);
      setSendError((error as Error).message);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit(text);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit(text);
    }
  };

  const heading = state.handoff === "human" && state.agentName ? `${state.agentName} · Support` : "Tandem Support";
  const subtitle =
    state.handoff === "waiting"
      ? "Waiting for a person to join"
      : state.handoff === "human"
        ? "You're chatting with a person"
        : state.handoff === "resolved"
          ? "Resolved · write again any time"
          : "Virtual assistant";

  return (
    <div className="chat">
      <a className="skip-link" href="#composer-input">
        Skip to message box
      </a>
      <header className="chat-header">
        <div className="avatar" aria-hidden="true">
          {state.handoff === "human" && state.agentName ? state.agentName.charAt(0).toUpperCase() : "T"}
        </div>
        <div className="chat-title">
          <h1>{heading}</h1>
          <p>{subtitle}</p>
        </div>
        <span className={`connection ${connection}`} role="status">
          <span className="dot" aria-hidden="true" />
          <span className="connection-label">{CONNECTION_TEXT[connection]}</span>
        </span>
        <div className="header-actions">
          <button className="ghost small" onClick={startOver} title="Start a new conversation">
            New chat
          </button>
          {embedded ? (
            <button className="ghost small" onClick={() => window.parent.postMessage({ type: "tandem:close" }, "*")} aria-label="Close chat">
              ✕
            </button>
          ) : (
            <button className="ghost small" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main className="chat-body" id="main" tabIndex={0} aria-label="Chat">
        {failure && (
          <p className="banner error" role="alert">
            {failure}
          </p>
        )}
        {state.items.length === 0 && !failure && (
          <div className="welcome">
            <h2>Hi{session.name && session.name !== session.sub ? ` ${session.name}` : ""}! How can we help?</h2>
            <p className="muted">Ask about an order, a return, a refund or anything in our help centre.</p>
          </div>
        )}
        <MessageList
          items={state.items}
          token={session.token}
          busy={state.turnRunning}
          footer={state.survey && conversationId ? <CsatSurvey conversationId={conversationId} token={session.token} /> : null}
        />
        <p className="typing-indicator" role="status" aria-live="polite">
          {state.typing ? `${state.typing.agent} is typing…` : ""}
        </p>
      </main>
      <footer className="composer">
        {state.items.length === 0 && (
          <div className="suggestions" role="group" aria-label="Suggested questions">
            {SUGGESTIONS.map((suggestion) => (
              <button key={suggestion} className="chip" onClick={() => submit(suggestion)} disabled={!canSend}>
                {suggestion}
              </button>
            ))}
          </div>
        )}
        {sendError && (
          <p className="error" role="alert">
            {sendError}
          </p>
        )}
        <VoiceButton token={session.token} conversationId={conversationId} disabled={!!failure} />
        <AttachButton
          conversationId={conversationId}
          token={session.token}
          disabled={!!failure}
          attached={attached}
          onChange={setAttached}
        />
        <form onSubmit={onSubmit}>
          <label htmlFor="composer-input" className="visually-hidden">
            Message
          </label>
          <textarea
            id="composer-input"
            ref={input}
            rows={1}
            value={text}
            maxLength={8000}
            placeholder={state.turnRunning ? "Answering…" : "Write a message…"}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onKeyDown}
            aria-describedby="composer-hint"
          />
          <button type="submit" className="primary" disabled={!canSend || (!text.trim() && !attached.length)}>
            Send
          </button>
        </form>
        <p id="composer-hint" className="visually-hidden">
          Press Enter to send, Shift+Enter for a new line.
        </p>
      </footer>
    </div>
  );
}
