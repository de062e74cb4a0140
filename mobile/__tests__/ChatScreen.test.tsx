import AsyncStorage from "@react-native-async-storage/async-storage";
import { initialChat } from "@tandem/client";
import { fireEvent, render, screen, waitFor } from "@testing-library/react-native";
import { ChatScreen } from "../src/screens/ChatScreen";
import { saveConversation } from "../src/storage";
import { conversation, session } from "./fixtures";
import { network } from "./network";

beforeEach(() => AsyncStorage.clear());

test("a reply asking to confirm shows yes / no buttons; yes is sent with a client message id", async () => {
  const calls = network({
    "POST /v1/conversations/c1/messages": {
      sse: [
        { type: "customer_message", text: "yes" },
        { type: "done", conversation_id: "c1", reply: "Done: order #W1234567 is cancelled.", waiting_for_human: false, handoff_status: "none" },
      ],
    },
    "POST /v1/conversations": { status: 201, json: conversation },
    "GET /v1/conversations/c1/messages": { json: { items: [], next_cursor: null } },
    "GET /v1/conversations/c1/events": {
      once: true,
      sse: [
        { type: "customer_message", text: "please cancel order #W1234567" },
        { type: "tool", name: "get_order_details", phase: "end", summary: "order #W1234567: pending", ok: true },
        {
          type: "done",
          conversation_id: "c1",
          reply: "To confirm: I will cancel order #W1234567. Shall I go ahead?",
          waiting_for_human: false,
          handoff_status: "none",
          awaiting_confirmation: true,
        },
      ],
    },
    "GET /v1/orders/": { json: { order_id: "#W1234567", user_id: "alex", status: "pending", items: [{ name: "Desk lamp", price: 49.5 }] } },
  });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);

  expect(await screen.findByLabelText("Assistant: To confirm: I will cancel order #W1234567. Shall I go ahead?")).toBeOnTheScreen();
  expect(await screen.findByLabelText("Order #W1234567, pending, 1 items")).toBeOnTheScreen();
  fireEvent.press(screen.getByRole("button", { name: "Yes, go ahead" }));

  expect(await screen.findByLabelText("Assistant: Done: order #W1234567 is cancelled.")).toBeOnTheScreen();
  expect(screen.queryByRole("button", { name: "Yes, go ahead" })).toBeNull();
  const posted = calls.filter((call) => call.method === "POST" && call.path === "/v1/conversations/c1/messages");
  expect(posted).toHaveLength(1);
  expect(posted[0].body).toEqual({ text: "yes", client_message_id: expect.stringMatching(/^[a-z0-9]+-[0-9a-f]{32}$/) });
  expect(calls.find((call) => call.path === "/v1/conversations")?.body).toEqual({ channel: "mobile" });
});

test("offline, the last conversation is readable and a new message waits to be sent", async () => {
  await saveConversation("alex_morgan_1001", {
    id: "c1",
    savedAt: 1,
    state: {
      ...initialChat,
      lastEventId: 7,
      items: [
        { kind: "message", key: "h0", role: "customer", text: "where is my order?" },
        { kind: "message", key: "h1", role: "agent", author: "Dana", text: "It ships tomorrow." },
      ],
    },
  });
  const calls = network({ GET: "offline", POST: "offline" });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);

  expect(await screen.findByLabelText("Dana (agent): It ships tomorrow.")).toBeOnTheScreen();
  expect(screen.getByLabelText(/^Connection: Offline/)).toBeOnTheScreen();
  fireEvent.changeText(screen.getByLabelText("Message"), "thanks!");
  fireEvent.press(screen.getByRole("button", { name: "Send" }));
  expect(await screen.findByLabelText("Waiting to send: thanks!")).toBeOnTheScreen();
  await waitFor(() => expect(calls.filter((call) => call.method === "POST")).toHaveLength(1));
  expect(screen.getByLabelText("Waiting to send: thanks!")).toBeOnTheScreen();
});
