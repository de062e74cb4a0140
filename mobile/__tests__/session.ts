/** The signed-in customer the screen tests use. */
import type { Session } from "@tandem/client";

export const session: Session = {
  token: "t0k3n",
  sub: "alex_morgan_1001",
  role: "customer",
  name: "Alex",
  customerId: "alex_morgan_1001",
  expiresAt: Date.now() + 3_600_000,
};
