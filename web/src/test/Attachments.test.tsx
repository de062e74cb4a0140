import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatApp } from "../chat/ChatApp";
import { AttachmentChip } from "../ui/AttachmentChip";
import { chatReducer, formatSize, initialChat, type AttachmentRef } from "@tandem/client";
import { CONVERSATION as OPEN_CONVERSATION, FakeSocket, routeFetch, signedIn } from "./fakes";

const CONVERSATION = { ...OPEN_CONVERSATION, last_event_id: 0 };

const RECEIPT: AttachmentRef = { id: `att_${"a".repeat(32)}`, filename: "receipt.png", content_type: "image/png", size: 3172 };

const problem = (status: number, code: string, detail: string) =>
  new Response(JSON.stringify({ status, code, detail }), { status, headers: { "Content-Type": "application/problem+json" } });

beforeEach(() => {
  vi.stubGlobal("WebSocket", FakeSocket);
  signedIn("chat", {});
  localStorage.setItem("tandem.chat.conversation.alex_morgan_1001", "c1");
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("attachments in the customer chat", () => {
  it("uploads a picked photo and sends its id with the message", async () => {
    const calls = routeFetch({
      "GET /v1/conversations/c1": CONVERSATION,
      "POST /v1/conversations/c1/attachments": RECEIPT,
      "GET /v1/attachments/": () => new Response(new Uint8Array([137, 80, 78, 71]), { headers: { "Content-Type": "image/png" } }),
    });
    render(<ChatApp />);
    await screen.findByText("Online");
    const user = userEvent.setup();
    const photo = new File([new Uint8Array([137, 80, 78, 71])], "receipt.png", { type: "image/png" });
    await user.upload(screen.getByLabelText("Attach a photo or PDF"), photo);

    expect(await screen.findByRole("list", { name: "Files to send" })).toHaveTextContent("receipt.png · 3 KB");
    const upload = calls.find((call) => call.method === "POST" && call.url.endsWith("/attachments"));
    expect((upload?.body as FormData).get("file")).toBeInstanceOf(File);
    expect(((upload?.body as FormData).get("file") as File).name).toBe("receipt.png");

    await user.type(screen.getByLabelText("Message"), "it came broken{Enter}");
    const socket = FakeSocket.last!;
    expect(socket.sent).toEqual([
      { type: "message", text: "it came broken", client_message_id: expect.any(String), attachments: [RECEIPT.id] },
    ]);
    expect(screen.queryByRole("list", { name: "Files to send" })).toBeNull();

    act(() => socket.emit({ id: 1, type: "customer_message", text: "it came broken", attachments: [RECEIPT] }));
    expect(await screen.findByRole("button", { name: /^receipt\.png 3 KB ?\(image\/png\), open$/ })).toBeInTheDocument();
  });

  it("sends a photo without text, and can remove a file before sending", async () => {
    const second = { ...RECEIPT, id: `att_${"b".repeat(32)}`, filename: "label.pdf", content_type: "application/pdf" };
    let answer = 0;
    routeFetch({
      "GET /v1/conversations/c1": CONVERSATION,
      "POST /v1/conversations/c1/attachments": () => [RECEIPT, second][answer++],
    });
    render(<ChatApp />);
    await screen.findByText("Online");
    const user = userEvent.setup();
    const input = screen.getByLabelText("Attach a photo or PDF");
    await user.upload(input, new File(["a"], "receipt.png", { type: "image/png" }));
    await screen.findByRole("button", { name: "Remove receipt.png" });
    await user.upload(input, new File(["b"], "label.pdf", { type: "application/pdf" }));
    await user.click(await screen.findByRole("button", { name: "Remove receipt.png" }));
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(FakeSocket.last!.sent).toEqual([
      { type: "message", text: "", client_message_id: expect.any(String), attachments: [second.id] },
    ]);
  });

  it("says why a file was refused and sends nothing", async () => {
    routeFetch({
      "GET /v1/conversations/c1": CONVERSATION,
      "POST /v1/conversations/c1/attachments": () =>
        problem(415, "unsupported_attachment_type", "Only image/png, image/jpeg, image/webp or application/pdf files can be attached."),
    });
    render(<ChatApp />);
    await screen.findByText("Online");
    const user = userEvent.setup();
    await user.upload(screen.getByLabelText("Attach a photo or PDF"), new File(["x"], "notes.png", { type: "image/png" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("notes.png: Only image/png, image/jpeg, image/webp or application/pdf files can be attached.");
    expect(screen.queryByRole("list", { name: "Files to send" })).toBeNull();
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
  });
});

describe("AttachmentChip", () => {
  it("fetches an image with the token for its thumbnail", async () => {
    const calls = routeFetch({ "GET /v1/attachments/": () => new Response(new Uint8Array([137, 80, 78, 71]), { headers: { "Content-Type": "image/png" } }) });
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: vi.fn(() => "blob:thumb"), revokeObjectURL: vi.fn() }));
    const { container } = render(<AttachmentChip attachment={RECEIPT} token="t0k" />);
    await waitFor(() => expect(container.querySelector("img")?.getAttribute("src")).toBe("blob:thumb"));
    expect(calls[0].url).toBe(`/v1/attachments/${RECEIPT.id}`);
  });

  it("marks a file the server no longer has", async () => {
    routeFetch({ "GET /v1/attachments/": () => problem(404, "attachment_not_found", "No attachment.") });
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: vi.fn(() => "blob:x"), revokeObjectURL: vi.fn() }));
    render(<AttachmentChip attachment={RECEIPT} token="t0k" />);
    expect(await screen.findByText("unavailable")).toBeInTheDocument();
  });
});

describe("attachments in the chat state", () => {
  it("keeps a history message's attachments", () => {
    const state = chatReducer(initialChat, {
      type: "hydrate",
      messages: [{ index: 0, role: "customer", author: null, text: "see photo", attachments: [RECEIPT] }],
      lastEventId: 2,
      handoff: "none",
      turnRunning: false,
    });
    expect(state.items[0]).toMatchObject({ kind: "message", attachments: [RECEIPT] });
  });

  it("formats sizes like the server's note to the model", () => {
    expect([formatSize(532), formatSize(3172), formatSize(2_516_582)]).toEqual(["532 bytes", "3 KB", "2.4 MB"]);
  });
});
