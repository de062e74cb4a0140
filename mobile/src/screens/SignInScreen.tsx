/** Sign in: a customer id with the development issuer, or the hosted login in production. */
import { authConfig, localSignIn, type AuthConfig, type Session } from "@tandem/client";
import { useEffect, useState } from "react";
import { Pressable, StyleSheet, Text, TextInput, View } from "react-native";
import { hostedSignIn } from "../auth";
import { colors, TOUCH } from "../theme";

export function SignInScreen({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [customerId, setCustomerId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    authConfig()
      .then(setConfig)
      .catch(() => setError("The server cannot be reached; check your connection."));
  }, []);

  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      const session = config?.mode === "cognito" ? await hostedSignIn(config) : await localSignIn("customer", customerId.trim());
      if (session) onSignedIn(session);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Signing in failed; please try again.");
    } finally {
      setBusy(false);
    }
  };

  const local = config?.mode === "local";
  return (
    <View style={styles.screen}>
      <Text style={styles.title} accessibilityRole="header">
        Sign in to Tandem support
      </Text>
      {local && (
        <>
          <Text style={styles.label} nativeID="customer-id-label">
            Customer ID
          </Text>
          <TextInput
            style={styles.input}
            value={customerId}
            onChangeText={setCustomerId}
            autoCapitalize="none"
            autoCorrect={false}
            accessibilityLabel="Customer ID"
            accessibilityLabelledBy="customer-id-label"
            onSubmitEditing={() => void signIn()}
          />
        </>
      )}
      {error && (
        <Text style={styles.error} accessibilityRole="alert">
          {error}
        </Text>
      )}
      <Pressable
        style={styles.button}
        accessibilityRole="button"
        accessibilityLabel="Continue"
        accessibilityState={{ disabled: busy || !config || (local && !customerId.trim()) }}
        disabled={busy || !config || (local && !customerId.trim())}
        onPress={() => void signIn()}
      >
        <Text style={styles.buttonText}>Continue</Text>
      </Pressable>
    </View>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, padding: 24, justifyContent: "center", backgroundColor: colors.background },
  title: { fontSize: 24, fontWeight: "700", color: colors.text, marginBottom: 24 },
  label: { fontSize: 16, color: colors.text, marginBottom: 6 },
  input: { minHeight: TOUCH, borderWidth: 1, borderColor: colors.border, borderRadius: 8, paddingHorizontal: 12, fontSize: 16, color: colors.text },
  error: { color: colors.error, fontSize: 15, marginTop: 12 },
  button: { marginTop: 20, minHeight: TOUCH, borderRadius: 8, backgroundColor: colors.primary, justifyContent: "center", alignItems: "center" },
  buttonText: { color: colors.onPrimary, fontSize: 17, fontWeight: "600" },
});
