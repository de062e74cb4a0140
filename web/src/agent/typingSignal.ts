/**
 * Tells the customer the agent is writing: the composer calls `typed()` on every change and
 * at most one `POST /v1/queue/{id}/typing` goes out per interval. A failed signal is dropped
 * (the indicator is a courtesy; the reply itself reports errors).
 */
import { useCallback, useEffect, useRef } from "react";
import { api } from "@tandem/client";

export const TYPING_INTERVAL_MS = 3000;

export function useTypingSignal(conversationId: string, token: string, enabled: boolean): () => void {
  const last = useRef(Number.NEGATIVE_INFINITY);
  useEffect(() => {
    last.current = Number.NEGATIVE_INFINITY;
  }, [conversationId]);
  return useCallback(() => {
    if (!enabled) return;
    const now = Date.now();
    if (now - last.current < TYPING_INTERVAL_MS) return;
    last.current = now;
    api<void>(`/v1/queue/${conversationId}/typing`, token, { method: "POST" }).catch(() => undefined);
  }, [conversationId, token, enabled]);
}
