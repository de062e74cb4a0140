/**
 * A small fetch wrapper: bearer token, JSON bodies, problem+json errors as ApiError.
 * The web apps call the API on their own origin; the mobile app sets the server's address
 * (and a streaming fetch) once with `configureApi`.
 */

export interface ApiConfig {
  /** Prefixed to every API path ("" for the page's own origin). */
  baseUrl: string;
  /** The fetch to call; the mobile app passes one whose responses stream. */
  fetch: typeof fetch;
  /** The fetch file uploads go through: the platform's own, whose multipart bodies take
   * React Native file parts (`{ uri, name, type }`), which the streaming fetch does not. */
  uploadFetch: typeof fetch;
}

const config: ApiConfig = {
  baseUrl: "",
  fetch: (...args) => fetch(...args),
  uploadFetch: (...args) => fetch(...args),
};

/** Point the client at a server (and, optionally, other fetches). */
export function configureApi(options: Partial<ApiConfig>): void {
  if (options.baseUrl !== undefined) config.baseUrl = options.baseUrl.replace(/\/+$/, "");
  if (options.fetch) config.fetch = options.fetch;
  if (options.uploadFetch) config.uploadFetch = options.uploadFetch;
}

/** The absolute URL of an API path on the configured server. */
export function apiUrl(path: string): string {
  return /^[a-z]+:\/\//i.test(path) ? path : `${config.baseUrl}${path}`;
}

/** Fetch through the configured fetch, on the configured server. */
export function apiFetch(path: string, init?: RequestInit): Promise<Response> {
  return config.fetch(apiUrl(path), init);
}

/** Send a multipart upload through the upload fetch, on the configured server. */
export function apiUpload(path: string, init: RequestInit): Promise<Response> {
  return config.uploadFetch(apiUrl(path), init);
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, detail: string, code?: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`;
  let code: string | undefined;
  try {
    const body = await response.json();
    detail = body.detail || detail;
    code = body.code;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, detail, code);
}

/** Call the API and return the parsed JSON body (throws ApiError on 4xx/5xx). */
export async function api<T>(
  path: string,
  token: string | null,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await apiFetch(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export { problemOf };

/**
 * A fresh id for a message the customer sends. The server records each id once per
 * conversation, so a send retried after a dropped connection is not a second message.
 * (Not `crypto.randomUUID`: pages served over plain http on a LAN do not have it.)
 */
export function newClientMessageId(): string {
  const bytes = new Uint8Array(16);
  if (typeof crypto !== "undefined" && typeof crypto.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${Date.now().toString(36)}-${hex}`;
}
