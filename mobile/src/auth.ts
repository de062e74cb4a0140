/**
 * Signing in on the phone: the development issuer (local auth mode), or Cognito's hosted
 * login through the system browser with PKCE (expo-auth-session) in production.
 */
import { jwtClaims, sessionFromToken, type AuthConfig, type Session } from "@tandem/client";
import * as AuthSession from "expo-auth-session";
import * as WebBrowser from "expo-web-browser";

WebBrowser.maybeCompleteAuthSession();

/** Where the hosted login sends the phone back to (`tandem://callback`). */
export const redirectUri = () => AuthSession.makeRedirectUri({ scheme: "tandem", path: "callback" });

/** Cognito's hosted login: authorization code with PKCE, the code traded for tokens. */
export async function hostedSignIn(config: AuthConfig): Promise<Session | null> {
  const hosted = config.hosted_login;
  if (!hosted) throw new Error("This server has no hosted login configured.");
  const discovery = { authorizationEndpoint: hosted.authorize_url, tokenEndpoint: hosted.token_url };
  const request = new AuthSession.AuthRequest({
    clientId: hosted.client_id,
    redirectUri: redirectUri(),
    scopes: hosted.scopes,
    usePKCE: true,
    codeChallengeMethod: AuthSession.CodeChallengeMethod.S256,
  });
  const result = await request.promptAsync(discovery);
  if (result.type !== "success") return null;
  const tokens = await AuthSession.exchangeCodeAsync(
    {
      clientId: hosted.client_id,
      code: result.params.code,
      redirectUri: redirectUri(),
      extraParams: { code_verifier: request.codeVerifier ?? "" },
    },
    discovery,
  );
  const session = sessionFromToken(tokens.accessToken);
  const name = tokens.idToken ? jwtClaims(tokens.idToken).name : undefined;
  return name ? { ...session, name: String(name) } : session;
}
