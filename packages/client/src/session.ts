/**
 * A signed-in user's session from the access token, and the development issuer's sign-in
 * (POST /v1/auth/local-token), and how the server signs users in (GET /v1/auth/config).
 * Where the session is kept is each app's own concern.
 */
import { api } from "./client";
import type { AuthConfig, Role } from "./types";

/** Who is signed in, with the bearer token and when it expires (epoch ms). */
export interface Session {
  token: string;
  sub: string;
  role: Role;
  name: string;
  customerId: string | null;
  expiresAt: number;
}

/** The claims of a JWT (not verified: the server verifies every request). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  try {
    return JSON.parse(decodeURIComponent(escape(atob(padded))));
  } catch {
    return {};
  }
}

/** The session an access token describes. */
export function sessionFromToken(token: string): Session {
  const claims = jwtClaims(token);
  const groups = Array.isArray(claims["cognito:groups"]) ? (claims["cognito:groups"] as string[]) : [];
  const role: Role = groups.includes("admin") ? "admin" : groups.includes("agent") ? "agent" : "customer";
  const sub = String(claims.username ?? claims["cognito:username"] ?? claims.sub ?? "");
  return {
    token,
    sub,
    role,
    name: String(claims.name ?? sub),
    customerId: (claims["custom:customer_id"] as string | undefined) ?? null,
    expiresAt: Number(claims.exp ?? 0) * 1000,
  };
}

/** Sign in with the development issuer (local auth mode only; admins give the local secret). */
export async function localSignIn(
  role: Role,
  sub: string,
  name?: string,
  secret?: string,
): Promise<Session> {
  const body: Record<string, string> = { role, sub };
  if (name) body.name = name;
  if (secret) body.secret = secret;
  const { access_token } = await api<{ access_token: string }>("/v1/auth/local-token", null, { body });
  return sessionFromToken(access_token);
}

/** How the server signs users in: the development issuer or Cognito's hosted login. */
export function authConfig(): Promise<AuthConfig> {
  return api<AuthConfig>("/v1/auth/config", null);
}
