/** The one-tap satisfaction survey shown when a conversation is resolved. */
import { useEffect, useState } from "react";
import { CSAT_CHOICES, csatChoiceLabel, fetchRating, rateConversation } from "@tandem/client";

export function CsatSurvey({ conversationId, token }: { conversationId: string; token: string }) {
  const [score, setScore] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetchRating(conversationId, token)
      .then(setScore)
      .catch(() => undefined);
  }, [conversationId, token]);
  const rate = (value: number) => {
    setError(null);
    rateConversation(conversationId, value, token)
      .then(setScore)
      .catch((reason: Error) => setError(reason.message));
  };
  return (
    <section className="csat" aria-labelledby="csat-title">
      <h2 id="csat-title">{score === null ? "How did we do?" : "Thanks for your feedback!"}</h2>
      <div className="csat-faces" role="group" aria-label="Rate this conversation from 1 to 5">
        {CSAT_CHOICES.map((option) => (
          <button
            key={option.score}
            type="button"
            className="csat-face"
            aria-label={csatChoiceLabel(option)}
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
