import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { VoiceButton } from "../chat/VoiceButton";
import { voiceSocketUrl } from "../chat/voiceCapture";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("VoiceButton", () => {
  it("is a toggle button with an accessible name", () => {
    render(<VoiceButton token="t" conversationId="c1" disabled={false} />);
    const button = screen.getByRole("button", { name: "Talk to us" });
    expect(button).toHaveAttribute("aria-pressed", "false");
  });

  it("says so when the browser cannot record", async () => {
    vi.stubGlobal("navigator", { ...navigator, mediaDevices: undefined });
    render(<VoiceButton token="t" conversationId="c1" disabled={false} />);
    await userEvent.click(screen.getByRole("button", { name: "Talk to us" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This browser cannot record audio.");
    expect(screen.getByRole("button", { name: "Talk to us" })).toHaveAttribute("aria-pressed", "false");
  });

  it("reports a refused microphone", async () => {
    const getUserMedia = vi.fn().mockRejectedValue(new DOMException("denied", "NotAllowedError"));
    vi.stubGlobal("navigator", { ...navigator, mediaDevices: { getUserMedia } });
    vi.stubGlobal("AudioWorkletNode", class {});
    render(<VoiceButton token="t" conversationId="c1" disabled={false} />);
    await act(async () => {
      await userEvent.click(screen.getByRole("button", { name: "Talk to us" }));
    });
    expect(getUserMedia).toHaveBeenCalledWith({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("Microphone access was denied.");
  });

  it("opens the voice socket on the chat's conversation with the token", () => {
    const url = new URL(voiceSocketUrl("tok en", "c1"));
    expect(url.pathname).toBe("/v1/voice");
    expect(url.protocol).toBe("ws:");
    expect(url.searchParams.get("access_token")).toBe("tok en");
    expect(url.searchParams.get("conversation_id")).toBe("c1");
    expect(new URL(voiceSocketUrl("t", null)).searchParams.has("conversation_id")).toBe(false);
  });
});
