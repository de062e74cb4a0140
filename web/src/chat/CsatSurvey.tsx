/** The one-tap satisfaction survey shown when a conversation is resolved. */
import { useEffect, useState } from "react";
import { api } from "@tandem/client";

const FACES = [
  { score: 1, face: "😞", label: "Very unsatisfied" },
  { score: 2, face: "🙁", label: "Unsatisfied" },
  { score: 3, face: "😐", label: "Neutral" },
  { score: 4, face: "🙂", label: "Satisfied" },
  { score: 5, face: "😀", label: "Very satisfied" },
];

export function CsatSurvey({ conversationId, token }: { conversationId: string; token: string }) {
  const [score, setScore] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = `/v1/conversations/${encodeURIComponent(conversationId)}/csat`;
  useEffect(() => {
    api<{ score: number | null }>(path, token)
      .then((value) => setScore(value.score))
      .catch(() => undefined);
  }, [path, token]);
  const rate = (value: number) => {
    setError(null);
    api(path, token, { method: "PUT", body: { score: value } })
      .then(() => setScore(value))
      .catch((reason: Error) => setError(reason.message));
  };
  return (
    <section className="csat" aria-labelledby="csat-title">
      <h2 id="csat-title">{score === null ? "How did we do?" : "Thanks for your feedback!"}</h2>
      <div className="csat-faces" role="group" aria-label="Rate this conversation from 1 to 5">
        {FACES.map((option) => (
          <button
            key={option.score}
            type="button"
            className="csat-face"
            aria-label={`${option.score} of 5: ${option.label}`}
            aria-pressed={score === option.score}
            onClick={() => rate(option.score)}
          >
            <span aria-hidden="true">{option.face}</span>
          </button>
        ))}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
