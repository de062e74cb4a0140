import { describe, expect, it } from "vitest";
import { loadSession, saveSession, sessionFromToken } from "../api/auth";
import { fakeToken } from "./fakes";

describe("sessions", () => {
  it("reads role, name and customer from the token's claims", () => {
    const session = sessionFromToken(fakeToken({ sub: "u1", username: "alice", name: "Alice", "cognito:groups": ["agent"] }));
    expect(session).toMatchObject({ sub: "alice", role: "agent", name: "Alice", customerId: null });
    const customer = sessionFromToken(fakeToken({ sub: "alex", "cognito:groups": ["customer"], "custom:customer_id": "alex" }));
    expect(customer).toMatchObject({ role: "customer", customerId: "alex" });
    expect(sessionFromToken(fakeToken({ sub: "m", "cognito:groups": ["agent", "admin"] })).role).toBe("admin");
  });

  it("keeps a session per app until it expires", () => {
    const session = sessionFromToken(fakeToken({ sub: "alice", "cognito:groups": ["agent"] }));
    saveSession("agent", session);
    expect(loadSession("agent")).toEqual(session);
    expect(loadSession("chat")).toBeNull();
    saveSession("agent", { ...session, expiresAt: Date.now() - 1 });
    expect(loadSession("agent")).toBeNull();
  });
});
