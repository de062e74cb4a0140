/** Orders shown in a conversation, fetched once per signed-in user and order. */
import { api } from "./client";
import type { Order } from "./types";

const cache = new Map<string, Promise<Order>>();

/** GET /v1/orders/{id}, shared by every card of the same order (a failure is not kept). */
export function fetchOrder(orderId: string, token: string): Promise<Order> {
  const key = `${token.slice(-16)}:${orderId}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = api<Order>(`/v1/orders/${encodeURIComponent(orderId)}`, token);
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  }
  return pending;
}
