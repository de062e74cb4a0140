/**
 * The one-tap satisfaction survey shown when a conversation is resolved: five faces, each a
 * 44-point button read out as "4 of 5: Satisfied". The rating given is kept on the phone, so
 * it is shown again after the app restarts (offline too), and refreshed from the server.
 */
import { CSAT_CHOICES, csatChoiceLabel, fetchRating, rateConversation } from "@tandem/client";
import { useEffect, useState } from "react";
import { Pressable, StyleSheet, Text, View } from "react-native";
import { loadRating, saveRating } from "../storage";
import { colors, TOUCH } from "../theme";

export function CsatPrompt({ conversationId, customer, token }: { conversationId: string; customer: string; token: string }) {
  const [score, setScore] = useState<number | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      const kept = await loadRating(customer, conversationId);
      if (live && kept !== null) setScore(kept);
      try {
        const given = await fetchRating(conversationId, token);
        if (!live || given === null) return;
        setScore(given);
        await saveRating(customer, conversationId, given);
      } catch {
        // offline: the rating kept on the phone stands
      }
    })();
    return () => {
      live = false;
    };
  }, [conversationId, customer, token]);

  const rate = async (value: number) => {
    setError(null);
    setSending(true);
    try {
      const given = await rateConversation(conversationId, value, token);
      setScore(given);
      await saveRating(customer, conversationId, given);
    } catch {
      setError("Your rating could not be sent. Please try again.");
    } finally {
      setSending(false);
    }
  };

  const chosen = CSAT_CHOICES.find((choice) => choice.score === score);
  return (
    <View style={styles.card}>
      <Text style={styles.title} accessibilityRole="header">
        {chosen ? "Thanks for your feedback!" : "How did we do?"}
      </Text>
      <View style={styles.faces} role="radiogroup" accessibilityLabel="Rate this conversation from 1 to 5">
        {CSAT_CHOICES.map((choice) => (
          <Pressable
            key={choice.score}
            role="radio"
            accessibilityLabel={csatChoiceLabel(choice)}
            accessibilityState={{ checked: choice.score === score, disabled: sending }}
            aria-checked={choice.score === score}
            disabled={sending}
            onPress={() => void rate(choice.score)}
            style={[styles.face, choice.score === score && styles.chosen]}
          >
            <Text style={styles.faceText} importantForAccessibility="no" aria-hidden>
              {choice.face}
            </Text>
          </Pressable>
        ))}
      </View>
      {chosen && (
        <Text style={styles.given} accessibilityLiveRegion="polite">
          You rated this conversation {chosen.score} of 5 ({chosen.label.toLowerCase()}).
        </Text>
      )}
      {error && (
        <Text style={styles.error} accessibilityRole="alert">
          {error}
        </Text>
      )}
    </View>
  );
}

const styles = StyleSheet.create({
  card: { margin: 8, padding: 12, borderRadius: 12, borderWidth: 1, borderColor: colors.border, backgroundColor: colors.background },
  title: { fontSize: 17, fontWeight: "700", color: colors.text, textAlign: "center" },
  faces: { flexDirection: "row", justifyContent: "center", gap: 6, marginTop: 8 },
  face: { minHeight: TOUCH, minWidth: TOUCH, borderRadius: TOUCH / 2, alignItems: "center", justifyContent: "center", borderWidth: 2, borderColor: "transparent" },
  chosen: { borderColor: colors.primary, backgroundColor: colors.botBubble },
  faceText: { fontSize: 26 },
  given: { fontSize: 14, color: colors.muted, textAlign: "center", marginTop: 6 },
  error: { fontSize: 14, color: colors.error, textAlign: "center", marginTop: 6 },
});
