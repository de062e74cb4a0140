/** Getting an agent's attention: tab-title count, an optional sound, browser notifications. */
import { useEffect, useRef, useState } from "react";
import type { QueueEntry } from "@tandem/client";
import { needsAttention } from "./useQueue";

const PREFS_KEY = "tandem.agent.alerts";

interface Prefs {
  sound: boolean;
  notify: boolean;
}

function loadPrefs(): Prefs {
  try {
    return { sound: false, notify: false, ...JSON.parse(localStorage.getItem(PREFS_KEY) ?? "{}") };
  } catch {
    return { sound: false, notify: false };
  }
}

function beep(): void {
  const Context = window.AudioContext;
  if (!Context) return;
  const audio = new Context();
  const tone = audio.createOscillator();
  tone.frequency.value = 880;
  tone.connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.15);
}

/** What changed between two queue snapshots that an agent should hear about. */
export function arrivals(before: QueueEntry[], after: QueueEntry[], me: string): string[] {
  const known = new Map(before.map((entry) => [entry.conversation_id, entry]));
  const news: string[] = [];
  for (const entry of after) {
    const old = known.get(entry.conversation_id);
    if (!old && entry.status === "waiting") news.push(`New handoff: ${entry.customer_id ?? "a guest"}`);
    else if (old && entry.claimed_by === me && entry.last_message !== old.last_message) news.push(`${entry.customer_id ?? "Customer"}: ${entry.last_message ?? ""}`);
    else if (old && old.status === "claimed" && entry.status === "waiting") news.push(`Back in the queue: ${entry.customer_id ?? "a guest"}`);
  }
  return news;
}

export function useAttention(open: QueueEntry[], me: string, loaded: boolean) {
  const [prefs, setPrefs] = useState<Prefs>(loadPrefs);
  const previous = useRef<QueueEntry[] | null>(null);
  const count = open.filter(needsAttention).length;

  useEffect(() => {
    document.title = count ? `(${count}) Agent console · Tandem` : "Agent console · Tandem";
  }, [count]);

  useEffect(() => {
    if (!loaded) return;
    const before = previous.current;
    previous.current = open;
    if (before === null) return;
    const news = arrivals(before, open, me);
    if (!news.length) return;
    if (prefs.sound) beep();
    if (prefs.notify && typeof Notification !== "undefined" && Notification.permission === "granted" && document.hidden) {
      for (const text of news) new Notification("Tandem", { body: text, tag: "tandem-queue" });
    }
  }, [open, me, loaded, prefs]);

  const update = async (next: Prefs) => {
    if (next.notify && typeof Notification !== "undefined" && Notification.permission === "default") {
      next = { ...next, notify: (await Notification.requestPermission()) === "granted" };
    }
    localStorage.setItem(PREFS_KEY, JSON.stringify(next));
    setPrefs(next);
  };
  return { count, prefs, update };
}
