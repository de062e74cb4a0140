import AsyncStorage from "@react-native-async-storage/async-storage";
import { ApiError } from "@tandem/client";
import { Outbox, type QueuedMessage } from "../src/chat/outbox";

beforeEach(() => AsyncStorage.clear());

test("a message queued offline is sent once the network is back, with the same id", async () => {
  const outbox = new Outbox("alex");
  const queued = await outbox.add("c1", "where is my order?");
  const attempts: QueuedMessage[] = [];

  const offline = await outbox.flush(async (message) => {
    attempts.push(message);
    throw new TypeError("Network request failed");
  });
  expect(offline).toBe("offline");
  expect(await outbox.pending()).toEqual([queued]);

  const sent = await outbox.flush(async (message) => {
    attempts.push(message);
  });
  expect(sent).toBe("sent");
  expect(await outbox.pending()).toEqual([]);
  expect(attempts.map((m) => m.id)).toEqual([queued.id, queued.id]);
});

test("a retry the server already took (409 duplicate_message) is not sent again", async () => {
  const outbox = new Outbox("alex");
  await outbox.add("c1", "first");
  await outbox.add("c1", "second");
  const sent: string[] = [];
  const result = await outbox.flush(async (message) => {
    if (message.text === "first") throw new ApiError(409, "already received", "duplicate_message");
    sent.push(message.text);
  });
  expect(result).toBe("sent");
  expect(sent).toEqual(["second"]);
  expect(await outbox.pending()).toEqual([]);
});

test("a busy conversation keeps the message for a later try", async () => {
  const outbox = new Outbox("alex");
  await outbox.add("c1", "hello");
  const result = await outbox.flush(async () => {
    throw new ApiError(409, "still answering", "turn_in_progress");
  });
  expect(result).toBe("busy");
  expect((await outbox.pending()).map((m) => m.text)).toEqual(["hello"]);
});

test("the queue survives a restart of the app, and two flushes never send twice", async () => {
  await new Outbox("alex").add("c1", "typed before the restart");
  const restarted = new Outbox("alex");
  const sent: string[] = [];
  const send = async (message: QueuedMessage) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    sent.push(message.id);
  };
  await Promise.all([restarted.flush(send), restarted.flush(send)]);
  expect(sent).toHaveLength(1);
});
