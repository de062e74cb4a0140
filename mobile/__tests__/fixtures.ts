/** The signed-in customer and their conversation, as the server describes them. */
import type { Session } from "@tandem/client";

export const session: Session = {
  token: "t0k3n",
  sub: "alex_morgan_1001",
  role: "customer",
  name: "Alex",
  customerId: "alex_morgan_1001",
  expiresAt: Date.now() + 3_600_000,
};

export const conversation = {
  id: "c1",
  customer_id: "alex_morgan_1001",
  channel: "mobile",
  created_at: 1,
  updated_at: 2,
  handoff_status: "none",
  waiting_for_human: false,
  intent: null,
  message_count: 0,
  turn_running: false,
  last_event_id: 0,
};
