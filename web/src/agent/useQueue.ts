/** The live handoff queue: fetched, refreshed on every queue change pushed by the server. */
import { useCallback, useEffect, useRef, useState } from "react";
import { api, followStream, type QueueEntry, type QueueStreamEvent } from "@tandem/client";

export function useQueue(token: string) {
  const [entries, setEntries] = useState<QueueEntry[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      setEntries(await api<QueueEntry[]>("/v1/queue?status=waiting&status=claimed", token));
      setError(null);
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setLoaded(true);
    }
  }, [token]);

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
    // SLA colours move with time even when nothing happens.
    const poll = setInterval(() => void refresh(), 15_000);
    return () => {
      controller.abort();
      clearInterval(poll);
      clearTimeout(timer.current);
    };
  }, [token, refresh]);

  return { entries, live, error, loaded, refresh };
}
