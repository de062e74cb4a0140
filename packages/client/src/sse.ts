/**
 * Server-Sent Events over fetch (EventSource cannot send an Authorization header).
 * `followStream` reconnects after a drop with `Last-Event-ID`, so nothing is missed or repeated.
 */
import { apiFetch, problemOf } from "./client";
import type { StreamEvent } from "./types";

/** An event as a stream delivers it: its `type`, its fields and the id to resume after. */
type Numbered = { type: string; id?: number };

/** Parse SSE text incrementally: feed chunks, get complete events. */
export class SseParser<E extends Numbered = StreamEvent> {
  private buffer = "";

  feed(chunk: string): E[] {
    this.buffer += chunk.replace(/\r\n/g, "\n");
    const events: E[] = [];
    let boundary = this.buffer.indexOf("\n\n");
    while (boundary >= 0) {
      const block = this.buffer.slice(0, boundary);
      this.buffer = this.buffer.slice(boundary + 2);
      const event = parseBlock<E>(block);
      if (event) events.push(event);
      boundary = this.buffer.indexOf("\n\n");
    }
    return events;
  }
}

function parseBlock<E extends Numbered>(block: string): E | null {
  let id: number | null = null;
  let type = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue; // comment / ping
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = Number(value);
    else if (field === "event") type = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  try {
    const payload = JSON.parse(data.join("\n"));
    return { ...payload, type: payload.type ?? type, id: id ?? 0 };
  } catch {
    return null;
  }
}

/** Read a response body of SSE to its end, handing each event to `onEvent`. */
export async function readEvents<E extends Numbered = StreamEvent>(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: E) => void,
): Promise<void> {
  // TextDecoder rather than TextDecoderStream: React Native has only the former
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser<E>();
  for (;;) {
    const { value, done } = await reader.read();
    const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
    parser.feed(text).forEach(onEvent);
    if (done) break;
  }
}

export interface FollowOptions<E extends Numbered = StreamEvent> {
  url: string;
  token: () => string | null;
  after?: number | null;
  onEvent: (event: E) => void;
  onState?: (state: "connecting" | "open" | "retrying" | "closed", error?: Error) => void;
  signal: AbortSignal;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Follow an SSE endpoint until aborted, resuming after the last event id on every reconnect. */
export async function followStream<E extends Numbered = StreamEvent>(options: FollowOptions<E>): Promise<void> {
  let last = options.after ?? null;
  let delay = 500;
  while (!options.signal.aborted) {
    options.onState?.("connecting");
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      const token = options.token();
      if (token) headers.Authorization = `Bearer ${token}`;
      if (last !== null) headers["Last-Event-ID"] = String(last);
      const response = await apiFetch(options.url, { headers, signal: options.signal });
      if (!response.ok || !response.body) {
        const problem = await problemOf(response);
        if (response.status < 500 && response.status !== 429) {
          options.onState?.("closed", problem);
          return;
        }
        throw problem;
      }
      options.onState?.("open");
      delay = 500;
      await readEvents<E>(response.body, (event) => {
        if (event.id) last = event.id;
        options.onEvent(event);
      });
    } catch (error) {
      if (options.signal.aborted) break;
      options.onState?.("retrying", error as Error);
    }
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, 10_000);
  }
  options.onState?.("closed");
}
