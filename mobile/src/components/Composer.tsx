/** The message box, attach and send buttons; the yes / no buttons when a reply asks to confirm. */
import { useState } from "react";
import { Pressable, StyleSheet, Text, TextInput, View } from "react-native";
import type { AttachmentRef } from "@tandem/client";
import { colors, TOUCH } from "../theme";
import { AttachPicker } from "./AttachPicker";

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

interface ComposerProps {
  onSend: (text: string, attachments: AttachmentRef[]) => void;
  disabled: boolean;
  /** Where photos are uploaded, and the token to upload with. */
  conversationId: string | null;
  token: string;
}

export function Composer({ onSend, disabled, conversationId, token }: ComposerProps) {
  const [text, setText] = useState("");
  const [attached, setAttached] = useState<AttachmentRef[]>([]);
  const empty = !text.trim() && !attached.length;
  const submit = () => {
    if (empty || disabled) return;
    onSend(text, attached);
    setText("");
    setAttached([]);
  };
  return (
    <View>
    <AttachPicker conversationId={conversationId} token={token} disabled={disabled} attached={attached} onChange={setAttached} />
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
        accessibilityState={{ disabled: disabled || empty }}
        onPress={submit}
      >
        <Text style={styles.primaryText}>Send</Text>
      </Pressable>
    </View>
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
