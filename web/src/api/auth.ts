/**
 * Signing in: the local development issuer (POST /v1/auth/local-token) or Cognito's hosted
 * login (authorization code with PKCE). The session is kept in localStorage per app, so a
 * reload or a later visit finds the user still signed in until the token expires.
 */
import { jwtClaims, sessionFromToken, type AuthConfig, type Session } from "@tandem/client";
import { sessionStore, storage } from "./storage";

export { authConfig, jwtClaims, localSignIn, sessionFromToken, type Session } from "@tandem/client";

export type AppName = "chat" | "agent" | "dashboard";

const key = (app: AppName) => `tandem.session.${app}`;

export function loadSession(app: AppName): Session | null {
  try {
    const raw = storage.getItem(key(app));
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() + 30_000 ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(app: AppName, session: Session | null): void {
  if (session) storage.setItem(key(app), JSON.stringify(session));
  else storage.removeItem(key(app));
}

function randomString(bytes = 32): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

const callbackUrl = (app: AppName) => `${window.location.origin}/${app}/callback`;

/** Send the browser to Cognito's hosted login; it comes back to /APP/callback. */
export async function startHostedLogin(config: AuthConfig, app: AppName): Promise<void> {
  const hosted = config.hosted_login;
  if (!hosted) throw new Error("This server has no hosted login configured.");
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStore.setItem("tandem.pkce", JSON.stringify({ verifier, state, app }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: hosted.client_id,
    redirect_uri: callbackUrl(app),
    scope: hosted.scopes.join(" "),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  });
  window.location.assign(`${hosted.authorize_url}?${params}`);
}

/** Finish the hosted login on /APP/callback: trade the code for tokens. */
export async function finishHostedLogin(config: AuthConfig, app: AppName): Promise<Session> {
  const hosted = config.hosted_login;
  const saved = JSON.parse(sessionStore.getItem("tandem.pkce") ?? "{}");
  sessionStore.removeItem("tandem.pkce");
  const params = new URLSearchParams(window.location.search);
  const code = params.get("code");
  if (!hosted || !code || params.get("state") !== saved.state) {
    throw new Error(params.get("error_description") ?? "The sign-in did not complete; please try again.");
  }
  const response = await fetch(hosted.token_url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: hosted.client_id,
      code,
      redirect_uri: callbackUrl(app),
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error("The sign-in service refused the code; please sign in again.");
  const tokens = await response.json();
  const session = sessionFromToken(tokens.access_token);
  const idClaims = tokens.id_token ? jwtClaims(tokens.id_token) : {};
  if (idClaims.name) session.name = String(idClaims.name);
  return session;
}
