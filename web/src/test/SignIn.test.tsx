import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SignIn } from "../ui/SignIn";
import { fakeToken, routeFetch } from "./fakes";

describe("SignIn", () => {
  it("asks an admin for the local secret and sends it with the sign-in", async () => {
    const calls = routeFetch({
      "GET /v1/auth/config": { mode: "local", hosted_login: null },
      "POST /v1/auth/local-token": { access_token: fakeToken({ sub: "root", "cognito:groups": ["admin"] }) },
    });
    const onSignedIn = vi.fn();
    render(<SignIn app="dashboard" title="Dashboard" intro="" roles={["admin", "agent"]} defaultSub="root" onSignedIn={onSignedIn} />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/Local secret/), "s3cret-value");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(calls.find((call) => call.url === "/v1/auth/local-token")?.body).toEqual({ role: "admin", sub: "root", secret: "s3cret-value" });
  });

  it("asks agents for no secret", async () => {
    routeFetch({ "GET /v1/auth/config": { mode: "local", hosted_login: null } });
    render(<SignIn app="agent" title="Agent" intro="" roles={["agent", "admin"]} defaultSub="dana" onSignedIn={vi.fn()} />);
    await screen.findByRole("button", { name: "Continue" });
    expect(screen.queryByLabelText(/Local secret/)).toBeNull();
  });
});
