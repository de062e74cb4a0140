/** A stand-in for the network under Jest: answers per "METHOD path", SSE bodies included. */
import { configureApi } from "@tandem/client";

/** `once`: answered the first time only, then `then` (a later reconnect's answer) or 204 (a
 * stream the server has closed). */
type Answer = { status?: number; json?: unknown; sse?: Record<string, unknown>[]; once?: boolean; then?: Answer } | "offline";
export type Call = { method: string; path: string; body: unknown };

/** Each SSE answer numbers its events after the previous answer's, as a conversation does. */
let lastId = 0;

function sseBody(events: Record<string, unknown>[]) {
  const text = events.map((event) => `id: ${++lastId}\ndata: ${JSON.stringify(event)}\n\n`).join("");
  let sent = false;
  return {
    getReader: () => ({
      read: async () => {
        if (sent) return { done: true, value: undefined };
        sent = true;
        return { done: false, value: new TextEncoder().encode(text) };
      },
    }),
  };
}

/** Route the shared client's fetch to `answers` (longest matching prefix wins); record calls. */
export function network(answers: Record<string, Answer>): Call[] {
  const calls: Call[] = [];
  const fake = async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? "GET";
    const path = url.replace(/^https?:\/\/[^/]+/, "");
    // JSON bodies are parsed for the assertions; a multipart FormData is kept as sent
    const sent = typeof init.body === "string" ? JSON.parse(init.body) : (init.body ?? undefined);
    calls.push({ method, path, body: sent });
    const key = Object.keys(answers)
      .filter((candidate) => `${method} ${path}`.startsWith(candidate))
      .sort((a, b) => b.length - a.length)[0];
    const answer = key ? answers[key] : { status: 404, json: { detail: "not found", code: "not_found" } };
    if (answer === "offline") throw new TypeError("Network request failed");
    if (answer.once && key) answers[key] = answer.then ?? { status: 204 };
    const status = answer.status ?? 200;
    return {
      ok: status < 400,
      status,
      statusText: String(status),
      json: async () => answer.json,
      body: answer.sse ? sseBody(answer.sse) : null,
    };
  };
  configureApi({ baseUrl: "http://tandem.test", fetch: fake as unknown as typeof fetch, uploadFetch: fake as unknown as typeof fetch });
  return calls;
}
