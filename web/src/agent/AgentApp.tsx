/** The agent console: sign in, watch the queue live, work several conversations in tabs. */
import { useCallback, useEffect, useState } from "react";
import type { Session } from "../api/auth";
import { loadSession, saveSession } from "../api/auth";
import { SignIn } from "../ui/SignIn";
import { ConversationPanel } from "./ConversationPanel";
import { MacroAdmin } from "./MacroAdmin";
import { QueueControls } from "./QueueControls";
import { QueueList } from "./QueueList";
import { ShortcutHelp } from "./ShortcutHelp";
import { isTyping } from "./shortcuts";
import { useAttention } from "./useAttention";
import { DEFAULT_QUERY, useQueue, type QueueQuery } from "./useQueue";

export function AgentApp() {
  const [session, setSession] = useState<Session | null>(() => loadSession("agent"));
  const signIn = useCallback((value: Session) => {
    saveSession("agent", value);
    setSession(value);
  }, []);
  if (!session) {
    return (
      <SignIn
        app="agent"
        title="Agent console"
        intro="Sign in to work the handoff queue."
        roles={["agent", "admin"]}
        defaultSub="alice"
        defaultName="Alice"
        onSignedIn={signIn}
      />
    );
  }
  return (
    <Console
      session={session}
      onSignOut={() => {
        saveSession("agent", null);
        setSession(null);
      }}
    />
  );
}

const MAX_TABS = 6;

function Console({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [query, setQuery] = useState<QueueQuery>(DEFAULT_QUERY);
  const { entries, open, live, error, loaded, refresh } = useQueue(session.token, query);
  const { count, prefs, update } = useAttention(open, session.sub, loaded);
  const [tabs, setTabs] = useState<string[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [managing, setManaging] = useState(false);

  const select = useCallback((id: string) => {
    setTabs((current) => (current.includes(id) ? current : [...current, id].slice(-MAX_TABS)));
    setSelected(id);
  }, []);
  const closeTab = (id: string) => {
    const rest = tabs.filter((tab) => tab !== id);
    setTabs(rest);
    if (selected === id) setSelected(rest[rest.length - 1] ?? null);
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && help) return setHelp(false);
      if (isTyping(event)) return;
      if (event.key === "?") setHelp((shown) => !shown);
      else if (event.key === "/") document.getElementById("queue-search")?.focus();
      else if ((event.key === "j" || event.key === "k") && entries.length) {
        const at = entries.findIndex((entry) => entry.conversation_id === selected);
        const step = event.key === "j" ? 1 : -1;
        const next = at < 0 ? 0 : Math.min(entries.length - 1, Math.max(0, at + step));
        select(entries[next].conversation_id);
      } else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [entries, selected, select, help]);

  return (
    <div className="console">
      <a className="skip-link" href="#main">
        Skip to conversation
      </a>
      <header className="topbar">
        <span className="brand">
          <img src="/icon.svg" alt="" width={24} height={24} /> Tandem <span className="muted">Agent console</span>
        </span>
        <nav aria-label="Apps">
          <a href="/agent" aria-current="page">
            Queue
          </a>
          <a href="/dashboard">Dashboard</a>
        </nav>
        <span className="alerts" role="group" aria-label="Alerts">
          <label>
            <input type="checkbox" checked={prefs.sound} onChange={(event) => void update({ ...prefs, sound: event.target.checked })} /> Sound
          </label>
          <label>
            <input type="checkbox" checked={prefs.notify} onChange={(event) => void update({ ...prefs, notify: event.target.checked })} /> Notifications
          </label>
        </span>
        {session.role === "admin" && (
          <button className="ghost small" onClick={() => setManaging(true)}>
            Canned responses
          </button>
        )}
        <button className="ghost small" onClick={() => setHelp(true)} aria-haspopup="dialog">
          Shortcuts (?)
        </button>
        <span className="whoami">
          {session.name} <span className="muted">({session.role})</span>
        </span>
        <button className="ghost small" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div className="console-body">
        <aside className="queue-column" aria-labelledby="queue-title">
          <div className="queue-heading">
            <h1 id="queue-title">Queue</h1>
            <span className="count" aria-label={`${count} need a person`}>
              {count}
            </span>
            <span className={`connection ${live ? "online" : "reconnecting"}`} role="status">
              <span className="dot" aria-hidden="true" />
              {live ? "Live" : "Connecting…"}
            </span>
          </div>
          <QueueControls query={query} onChange={setQuery} />
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {loaded && <QueueList entries={entries} selected={selected} me={session.sub} onSelect={select} view={query.view} />}
        </aside>
        <main id="main" className="panel-column" tabIndex={0} aria-label="Conversation details">
          {tabs.length > 0 && (
            <nav className="conversation-tabs" aria-label="Open conversations">
              {tabs.map((id) => {
                const entry = open.find((item) => item.conversation_id === id) ?? entries.find((item) => item.conversation_id === id);
                return (
                  <span key={id} className="conversation-tab">
                    <button aria-current={id === selected ? "true" : undefined} onClick={() => setSelected(id)}>
                      {entry?.customer_id ?? id.slice(0, 8)}
                    </button>
                    <button className="ghost small" aria-label={`Close ${entry?.customer_id ?? id}`} onClick={() => closeTab(id)}>
                      ×
                    </button>
                  </span>
                );
              })}
            </nav>
          )}
          {managing ? (
            <MacroAdmin token={session.token} onClose={() => setManaging(false)} />
          ) : selected ? (
            <ConversationPanel key={selected} conversationId={selected} session={session} onChanged={refresh} />
          ) : (
            <div className="placeholder">
              <h2>Pick a conversation</h2>
              <p className="muted">Choose someone from the queue to read the transcript and the AI's notes. Press ? for shortcuts.</p>
            </div>
          )}
        </main>
      </div>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
