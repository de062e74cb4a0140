import { fireEvent, render, screen, waitFor } from "@testing-library/react-native";
import { SignInScreen } from "../src/screens/SignInScreen";
import { network } from "./network";

// a token whose payload is {"sub":"alex_morgan_1001","custom:customer_id":"alex_morgan_1001","exp":4102444800}
const TOKEN = `h.${btoa(JSON.stringify({ sub: "alex_morgan_1001", "custom:customer_id": "alex_morgan_1001", exp: 4102444800 }))}.s`;

test("in local mode a customer id signs in through the development issuer", async () => {
  const calls = network({
    "GET /v1/auth/config": { json: { mode: "local", hosted_login: null } },
    "POST /v1/auth/local-token": { json: { access_token: TOKEN } },
  });
  const signedIn = jest.fn();
  render(<SignInScreen onSignedIn={signedIn} />);

  const field = await screen.findByLabelText("Customer ID");
  expect(screen.getByRole("button", { name: "Continue" })).toBeDisabled();
  fireEvent.changeText(field, "alex_morgan_1001");
  fireEvent.press(screen.getByRole("button", { name: "Continue" }));

  await waitFor(() => expect(signedIn).toHaveBeenCalledTimes(1));
  expect(signedIn.mock.calls[0][0]).toMatchObject({ role: "customer", customerId: "alex_morgan_1001", token: TOKEN });
  expect(calls.find((call) => call.method === "POST")?.body).toEqual({ role: "customer", sub: "alex_morgan_1001" });
});

test("an unreachable server says so instead of a blank screen", async () => {
  network({ GET: "offline" });
  render(<SignInScreen onSignedIn={jest.fn()} />);
  expect(await screen.findByRole("alert")).toHaveTextContent("The server cannot be reached; check your connection.");
});
