/** The chat's voice button: talk instead of typing; the reply is spoken and shown in the chat. */
import { useEffect, useRef, useState } from "react";
import { VoiceSession } from "./voiceCapture";

type VoiceState = "off" | "starting" | "listening" | "speaking";

const LABEL: Record<VoiceState, string> = {
  off: "Talk",
  starting: "Starting…",
  listening: "Listening",
  speaking: "Speaking",
};

export function VoiceButton({
  token,
  conversationId,
  disabled,
}: {
  token: string;
  conversationId: string | null;
  disabled: boolean;
}) {
  const [state, setState] = useState<VoiceState>("off");
  const [heard, setHeard] = useState("");
  const [error, setError] = useState<string | null>(null);
  const session = useRef<VoiceSession | null>(null);

  useEffect(() => () => session.current?.stop(), []);

  const toggle = async () => {
    if (session.current) {
      session.current.stop();
      return;
    }
    setError(null);
    setState("starting");
    const voice = new VoiceSession({
      onPartial: setHeard,
      onFinal: setHeard,
      onState: (next) => {
        if (next === "closed") {
          session.current = null;
          setState("off");
          setHeard("");
        } else setState(next);
      },
      onError: setError,
    });
    session.current = voice;
    try {
      await voice.start(token, conversationId);
    } catch (failure) {
      session.current = null;
      voice.stop();
      setError(failure instanceof DOMException ? "Microphone access was denied." : (failure as Error).message);
    }
  };

  const on = state !== "off";
  return (
    <div className="voice">
      <button
        type="button"
        className={`ghost voice-button${on ? " active" : ""}`}
        aria-pressed={on}
        aria-label={on ? "Stop talking" : "Talk to us"}
        onClick={() => void toggle()}
        disabled={disabled && !on}
      >
        <span aria-hidden="true">🎙</span> {LABEL[state]}
      </button>
      <p className="voice-heard" aria-live="polite">
        {on && heard ? `“${heard}”` : ""}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
