import AsyncStorage from "@react-native-async-storage/async-storage";
import { TYPING_SHOWN_MS, initialChat } from "@tandem/client";
import { act, render, screen } from "@testing-library/react-native";
import { ChatScreen } from "../src/screens/ChatScreen";
import { saveConversation } from "../src/storage";
import { conversation, session } from "./fixtures";
import { network } from "./network";

beforeEach(() => AsyncStorage.clear());
afterEach(() => jest.useRealTimers());

const human = { ...conversation, handoff_status: "human", waiting_for_human: true };
const opened = {
  "POST /v1/conversations": { status: 201, json: conversation },
  "GET /v1/conversations/c1/messages": { json: { items: [], next_cursor: null } },
};

test("an order card shows the order as the turn's tool saw it, without asking the API", async () => {
  const calls = network({
    ...opened,
    "GET /v1/conversations/c1/events": {
      once: true,
      sse: [
        { type: "customer_message", text: "where is order #W1234567?" },
        {
          type: "tool",
          name: "get_order_details",
          phase: "end",
          summary: "order #W1234567: processed",
          ok: true,
          order: { order_id: "#W1234567", status: "processed", items: [{ name: "Desk lamp", price: 49.5 }], city: "Austin", state: "TX" },
        },
        { type: "done", conversation_id: "c1", reply: "Order #W1234567 is processed.", waiting_for_human: false, handoff_status: "none" },
      ],
    },
    // Today the order has been delivered: the card must still say what the reply was about.
    "GET /v1/orders/": { json: { order_id: "#W1234567", user_id: "alex", status: "delivered", items: [{ name: "Desk lamp", price: 49.5 }] } },
  });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);

  expect(await screen.findByLabelText("Assistant: Order #W1234567 is processed.")).toBeOnTheScreen();
  expect(screen.getByLabelText("Order #W1234567, processed, 1 items")).toBeOnTheScreen();
  expect(screen.getByText("Status: processed")).toBeOnTheScreen();
  expect(screen.getByText("Austin, TX · Total $49.50")).toBeOnTheScreen();
  expect(screen.queryByText("Status: delivered")).toBeNull();
  expect(calls.filter((call) => call.path.startsWith("/v1/orders/"))).toEqual([]);
});

test("the agent's typing line is announced, then replaced by their message", async () => {
  network({
    "GET /v1/conversations/c1/messages": { json: { items: [], next_cursor: null } },
    "POST /v1/conversations": { status: 201, json: human },
    "GET /v1/conversations/c1/events": {
      once: true,
      sse: [{ type: "agent_typing", agent: "Dana Smith" }],
      then: { once: true, sse: [{ type: "agent_message", agent: "Dana Smith", text: "Hi, I'm looking at it now." }] },
    },
  });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);

  const line = await screen.findByText("Dana is typing…");
  expect(line).toHaveProp("accessibilityLiveRegion", "polite");
  expect(line).toHaveProp("role", "status");
  expect(await screen.findByLabelText("Dana Smith (agent): Hi, I'm looking at it now.")).toBeOnTheScreen();
  expect(screen.queryByText("Dana is typing…")).toBeNull();
});

test("the typing line clears by itself when no newer signal comes", async () => {
  jest.useFakeTimers({ doNotFake: ["nextTick", "queueMicrotask"] });
  network({
    "GET /v1/conversations/c1/messages": { json: { items: [], next_cursor: null } },
    "POST /v1/conversations": { status: 201, json: human },
    "GET /v1/conversations/c1/events": { once: true, sse: [{ type: "agent_typing", agent: "Dana" }] },
  });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);

  expect(await screen.findByText("Dana is typing…")).toBeOnTheScreen();
  await act(async () => {
    jest.advanceTimersByTime(TYPING_SHOWN_MS - 500);
  });
  expect(screen.getByText("Dana is typing…")).toBeOnTheScreen();
  await act(async () => {
    jest.advanceTimersByTime(600);
  });
  expect(screen.queryByText("Dana is typing…")).toBeNull();
});

test("reopened, a reply kept on the phone still shows its order as its turn saw it", async () => {
  const reply = "Order #W1234567 is processed.";
  await saveConversation("alex_morgan_1001", {
    id: "c1",
    savedAt: 1,
    state: {
      ...initialChat,
      lastEventId: 3,
      items: [
        { kind: "message", key: "e1", role: "customer", text: "where is order #W1234567?" },
        {
          kind: "message",
          key: "e3",
          role: "bot",
          text: reply,
          orders: ["#W1234567"],
          orderCards: { "#W1234567": { order_id: "#W1234567", status: "processed", items: [{ name: "Desk lamp", price: 49.5 }] } },
        },
      ],
    },
  });
  const calls = network({
    "GET /v1/conversations/c1/messages": {
      json: {
        items: [
          { index: 0, role: "customer", author: null, text: "where is order #W1234567?" },
          { index: 1, role: "bot", author: null, text: reply },
          { index: 2, role: "customer", author: null, text: "thanks, sent from my laptop" },
        ],
        next_cursor: null,
      },
    },
    "GET /v1/conversations/c1/events": { status: 204 },
    "GET /v1/conversations/c1": { json: { ...conversation, message_count: 2, last_event_id: 3 } },
    "GET /v1/orders/": { json: { order_id: "#W1234567", user_id: "alex", status: "delivered", items: [{ name: "Desk lamp", price: 49.5 }] } },
  });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);

  // The server's history has replaced what the phone kept.
  expect(await screen.findByLabelText("You: thanks, sent from my laptop")).toBeOnTheScreen();
  expect(screen.getByText("Status: processed")).toBeOnTheScreen();
  expect(screen.queryByText("Status: delivered")).toBeNull();
  expect(calls.filter((call) => call.path.startsWith("/v1/orders/"))).toEqual([]);
});
