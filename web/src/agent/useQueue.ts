/** The live handoff queue: fetched for a view and search, refreshed on every pushed change. */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@tandem/client";
import { followStream } from "@tandem/client";
import type { QueueEntry, QueueStreamEvent, QueueView } from "@tandem/client";

export interface QueueQuery {
  view: QueueView;
  q: string;
  sort: "waiting_time" | "sentiment";
  reason: string;
}

export const DEFAULT_QUERY: QueueQuery = { view: "open", q: "", sort: "waiting_time", reason: "" };

export function queuePath(query: QueueQuery): string {
  const params = new URLSearchParams({ view: query.view, sort: query.sort });
  if (query.q.trim()) params.set("q", query.q.trim());
  if (query.reason) params.set("reason", query.reason);
  return `/v1/queue?${params}`;
}

/** Needs a person now: waiting, or claimed and still unanswered past the SLA. */
export function needsAttention(entry: QueueEntry): boolean {
  return entry.status === "waiting" || (entry.status === "claimed" && entry.first_response_at === null && entry.sla_state === "breached");
}

export function useQueue(token: string, query: QueueQuery = DEFAULT_QUERY) {
  const [entries, setEntries] = useState<QueueEntry[]>([]);
  const [open, setOpen] = useState<QueueEntry[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const path = queuePath(query);

  const refresh = useCallback(async () => {
    try {
      const openPath = queuePath(DEFAULT_QUERY);
      const [shown, all] = await Promise.all([
        api<QueueEntry[]>(path, token),
        path === openPath ? null : api<QueueEntry[]>(openPath, token),
      ]);
      setEntries(shown);
      setOpen(all ?? shown);
      setError(null);
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setLoaded(true);
    }
  }, [token, path]);

  useEffect(() => {
    const controller = new AbortController();
    void refresh();
    void followStream<QueueStreamEvent>({
      url: "/v1/queue/events",
      token: () => token,
      signal: controller.signal,
      onState: (state) => {
        setLive(state === "open");
        if (state === "open") void refresh(); // catch up on what changed while disconnected
      },
      onEvent: () => {
        clearTimeout(timer.current);
        timer.current = setTimeout(() => void refresh(), 150);
      },
    });
    // SLA colours move with time even when nothing happens; claims time out back to the queue.
    const poll = setInterval(() => void refresh(), 15_000);
    return () => {
      controller.abort();
      clearInterval(poll);
      clearTimeout(timer.current);
    };
  }, [token, refresh]);

  return { entries, open, live, error, loaded, refresh };
}
