/** Sign-in card: the development issuer in local mode, Cognito's hosted login in production. */
import { useEffect, useState, type FormEvent } from "react";
import type { AppName, Session } from "../api/auth";
import { authConfig, finishHostedLogin, localSignIn, startHostedLogin } from "../api/auth";
import type { AuthConfig, Role } from "@tandem/client";

interface Props {
  app: AppName;
  title: string;
  intro: string;
  roles: Role[];
  defaultSub: string;
  defaultName?: string;
  onSignedIn: (session: Session) => void;
}

export function SignIn({ app, title, intro, roles, defaultSub, defaultName = "", onSignedIn }: Props) {
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [role, setRole] = useState<Role>(roles[0]);
  const [sub, setSub] = useState(defaultSub);
  const [name, setName] = useState(defaultName);
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    authConfig()
      .then(async (value) => {
        setConfig(value);
        if (value.mode === "cognito" && window.location.pathname.endsWith("/callback")) {
          const session = await finishHostedLogin(value, app);
          window.history.replaceState(null, "", `/${app}`);
          onSignedIn(session);
        }
      })
      .catch((reason: Error) => setError(reason.message));
  }, [app, onSignedIn]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await localSignIn(
          role,
          sub.trim(),
          role === "customer" ? undefined : name.trim() || undefined,
          role === "admin" ? secret.trim() : undefined,
        ),
      );
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <img src="/icon.svg" alt="" width={40} height={40} />
        <h1>{title}</h1>
        <p className="muted">{intro}</p>
        {config?.mode === "cognito" ? (
          config.hosted_login ? (
            <button className="primary wide" onClick={() => startHostedLogin(config, app)}>
              Sign in
            </button>
          ) : (
            <p role="alert">Sign-in is not configured on this server (TANDEM_AUTH_HOSTED_UI_DOMAIN).</p>
          )
        ) : (
          <form onSubmit={submit} aria-describedby="signin-note">
            {roles.length > 1 && (
              <label>
                Role
                <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
                  {roles.map((value) => (
                    <option key={value} value={value}>
                      {value === "admin" ? "Manager (admin)" : value.charAt(0).toUpperCase() + value.slice(1)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label>
              {role === "customer" ? "Customer ID" : "User ID"}
              <input value={sub} onChange={(event) => setSub(event.target.value)} required autoComplete="username" pattern="[A-Za-z0-9._@\-]+" />
            </label>
            {role !== "customer" && (
              <label>
                Display name
                <input value={name} onChange={(event) => setName(event.target.value)} autoComplete="name" />
              </label>
            )}
            {role === "admin" && (
              <label>
                Local secret
                <input
                  type="password"
                  value={secret}
                  onChange={(event) => setSecret(event.target.value)}
                  required
                  autoComplete="current-password"
                  aria-describedby="secret-hint"
                />
                <span id="secret-hint" className="hint">
                  Print it with <code>tandem auth secret</code> on the server.
                </span>
              </label>
            )}
            <button className="primary wide" type="submit" disabled={busy || !config}>
              {busy ? "Signing in…" : "Continue"}
            </button>
            <p id="signin-note" className="hint">
              Development sign-in (local issuer). Production uses Cognito's hosted login.
            </p>
          </form>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}
