import AsyncStorage from "@react-native-async-storage/async-storage";
import { fireEvent, render, screen, waitFor } from "@testing-library/react-native";
import { ChatScreen } from "../src/screens/ChatScreen";
import { network } from "./network";
import { session } from "./fixtures";

function conversation(handoff: string) {
  return {
    id: "c1",
    customer_id: "alex_morgan_1001",
    channel: "mobile",
    created_at: 1,
    updated_at: 2,
    handoff_status: handoff,
    waiting_for_human: false,
    intent: null,
    message_count: 2,
    turn_running: false,
    last_event_id: 4,
  };
}

const history = {
  items: [
    { index: 0, role: "customer", author: null, text: "my lamp arrived broken" },
    { index: 1, role: "agent", author: "Dana", text: "A replacement is on its way." },
  ],
  next_cursor: null,
};

const resolved = {
  "GET /v1/conversations/c1": { json: conversation("resolved") },
  "GET /v1/conversations/c1/messages": { json: history },
  "GET /v1/conversations/c1/events": { status: 204 },
  "GET /v1/conversations/c1/csat": { json: { conversation_id: "c1", score: null } },
  "PUT /v1/conversations/c1/csat": { json: { conversation_id: "c1", score: 4 } },
};

const openChat = () => render(<ChatScreen session={session} conversationId="c1" onBack={() => undefined} />);

beforeEach(() => AsyncStorage.clear());

test("a resolved conversation offers five 44-point faces; one tap sends the rating", async () => {
  const calls = network({ ...resolved });
  openChat();

  expect(await screen.findByText("How did we do?")).toBeOnTheScreen();
  const faces = screen.getAllByRole("radio");
  expect(faces.map((face) => face.props.accessibilityLabel)).toEqual([
    "1 of 5: Very unsatisfied",
    "2 of 5: Unsatisfied",
    "3 of 5: Neutral",
    "4 of 5: Satisfied",
    "5 of 5: Very satisfied",
  ]);
  for (const face of faces) {
    expect(face).toHaveStyle({ minHeight: 44, minWidth: 44 });
  }
  fireEvent.press(screen.getByRole("radio", { name: "4 of 5: Satisfied" }));

  expect(await screen.findByText("You rated this conversation 4 of 5 (satisfied).")).toBeOnTheScreen();
  expect(screen.getByText("Thanks for your feedback!")).toBeOnTheScreen();
  expect(screen.getByRole("radio", { name: "4 of 5: Satisfied" })).toBeChecked();
  expect(screen.getByRole("radio", { name: "5 of 5: Very satisfied" })).not.toBeChecked();
  const rated = calls.filter((call) => call.method === "PUT");
  expect(rated).toEqual([{ method: "PUT", path: "/v1/conversations/c1/csat", body: { score: 4 } }]);
});

test("the rating given is shown again after the app restarts offline", async () => {
  network({ ...resolved });
  const first = openChat();
  fireEvent.press(await screen.findByRole("radio", { name: "4 of 5: Satisfied" }));
  expect(await screen.findByText("You rated this conversation 4 of 5 (satisfied).")).toBeOnTheScreen();
  first.unmount();

  const calls = network({ GET: "offline", POST: "offline", PUT: "offline" });
  openChat();
  expect(await screen.findByText("You rated this conversation 4 of 5 (satisfied).")).toBeOnTheScreen();
  expect(screen.getByRole("radio", { name: "4 of 5: Satisfied" })).toBeChecked();
  expect(calls.some((call) => call.path === "/v1/conversations/c1/csat")).toBe(true);
});

test("a rating given on another phone is shown from the server", async () => {
  network({ ...resolved, "GET /v1/conversations/c1/csat": { json: { conversation_id: "c1", score: 2 } } });
  openChat();
  expect(await screen.findByText("You rated this conversation 2 of 5 (unsatisfied).")).toBeOnTheScreen();
});

test("a rating that could not be sent says so and is not shown as given", async () => {
  const calls = network({ ...resolved, "PUT /v1/conversations/c1/csat": "offline" });
  openChat();
  fireEvent.press(await screen.findByRole("radio", { name: "5 of 5: Very satisfied" }));

  expect(await screen.findByRole("alert")).toHaveTextContent("Your rating could not be sent. Please try again.");
  expect(screen.getByText("How did we do?")).toBeOnTheScreen();
  expect(screen.getByRole("radio", { name: "5 of 5: Very satisfied" })).not.toBeChecked();
  expect(calls.filter((call) => call.method === "PUT")).toHaveLength(1);
  expect(await AsyncStorage.getItem("tandem.mobile.csat.alex_morgan_1001")).toBeNull();
});

test("no survey while a person is still helping; it appears when the agent resolves", async () => {
  network({
    ...resolved,
    "GET /v1/conversations/c1": { json: { ...conversation("human"), waiting_for_human: true, last_event_id: 0 } },
    "GET /v1/conversations/c1/events": {
      once: true,
      sse: [{ type: "done", conversation_id: "c1", reply: "", waiting_for_human: false, handoff_status: "resolved" }],
    },
  });
  openChat();
  expect(await screen.findByText("How did we do?")).toBeOnTheScreen();
  expect(screen.getByText("This conversation was resolved. Write again any time.")).toBeOnTheScreen();
});

test("an open conversation shows no survey", async () => {
  network({ ...resolved, "GET /v1/conversations/c1": { json: conversation("none") } });
  openChat();
  expect(await screen.findByLabelText("Dana (agent): A replacement is on its way.")).toBeOnTheScreen();
  await waitFor(() => expect(screen.getByLabelText(/^Connection:/)).toBeOnTheScreen());
  expect(screen.queryByText("How did we do?")).toBeNull();
  expect(screen.queryAllByRole("radio")).toHaveLength(0);
});
