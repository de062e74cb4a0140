/** The agent console: sign in, watch the queue live, work one conversation at a time. */
import { useCallback, useState } from "react";
import type { Session } from "../api/auth";
import { loadSession, saveSession } from "../api/auth";
import { SignIn } from "../ui/SignIn";
import { ConversationPanel } from "./ConversationPanel";
import { QueueList } from "./QueueList";
import { useQueue } from "./useQueue";

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

function Console({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { entries, live, error, loaded, refresh } = useQueue(session.token);
  const [selected, setSelected] = useState<string | null>(null);
  const waiting = entries.filter((entry) => entry.status === "waiting").length;
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
            <span className="count" aria-label={`${waiting} waiting`}>
              {waiting}
            </span>
            <span className={`connection ${live ? "online" : "reconnecting"}`} role="status">
              <span className="dot" aria-hidden="true" />
              {live ? "Live" : "Connecting…"}
            </span>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {loaded && <QueueList entries={entries} selected={selected} me={session.sub} onSelect={setSelected} />}
        </aside>
        <main id="main" className="panel-column" tabIndex={0} aria-label="Conversation details">
          {selected ? (
            <ConversationPanel conversationId={selected} session={session} onChanged={refresh} />
          ) : (
            <div className="placeholder">
              <h2>Pick a conversation</h2>
              <p className="muted">Choose someone from the queue to read the transcript and the AI's notes.</p>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}
