/** The message box and send button; the yes / no buttons when a reply asks to confirm. */
import { useState } from "react";
import { Pressable, StyleSheet, Text, TextInput, View } from "react-native";
import { colors, TOUCH } from "../theme";

export function ConfirmButtons({ onAnswer, disabled }: { onAnswer: (text: string) => void; disabled: boolean }) {
  return (
    <View style={styles.row} role="group" accessibilityLabel="Confirm the action">
      <Pressable
        style={[styles.button, styles.primary]}
        accessibilityRole="button"
        accessibilityLabel="Yes, go ahead"
        disabled={disabled}
        onPress={() => onAnswer("yes")}
      >
        <Text style={styles.primaryText}>Yes, go ahead</Text>
      </Pressable>
      <Pressable
        style={[styles.button, styles.secondary]}
        accessibilityRole="button"
        accessibilityLabel="No, leave it as it is"
        disabled={disabled}
        onPress={() => onAnswer("no")}
      >
        <Text style={styles.secondaryText}>No</Text>
      </Pressable>
    </View>
  );
}

export function Composer({ onSend, disabled }: { onSend: (text: string) => void; disabled: boolean }) {
  const [text, setText] = useState("");
  const submit = () => {
    if (!text.trim() || disabled) return;
    onSend(text);
    setText("");
  };
  return (
    <View style={styles.row}>
      <TextInput
        style={styles.input}
        value={text}
        onChangeText={setText}
        placeholder="Write a message…"
        placeholderTextColor={colors.muted}
        accessibilityLabel="Message"
        onSubmitEditing={submit}
        returnKeyType="send"
        multiline={false}
      />
      <Pressable
        style={[styles.button, styles.primary]}
        accessibilityRole="button"
        accessibilityLabel="Send"
        accessibilityState={{ disabled: disabled || !text.trim() }}
        onPress={submit}
      >
        <Text style={styles.primaryText}>Send</Text>
      </Pressable>
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: "row", gap: 8, padding: 8, alignItems: "center" },
  input: {
    flex: 1,
    minHeight: TOUCH,
    borderWidth: 1,
    borderColor: colors.border,
    borderRadius: 22,
    paddingHorizontal: 14,
    fontSize: 16,
    color: colors.text,
  },
  button: { minHeight: TOUCH, minWidth: TOUCH, paddingHorizontal: 16, borderRadius: 22, justifyContent: "center" },
  primary: { backgroundColor: colors.primary },
  secondary: { borderWidth: 1, borderColor: colors.primary },
  primaryText: { color: colors.onPrimary, fontSize: 16, fontWeight: "600" },
  secondaryText: { color: colors.primary, fontSize: 16, fontWeight: "600" },
});
