/** The customer's conversations on every channel, newest first, and a way to start one. */
import { api, type Conversation, type Session } from "@tandem/client";
import { useEffect, useState } from "react";
import { FlatList, Pressable, StyleSheet, Text, View } from "react-native";
import { NEW_CONVERSATION } from "../chat/useChat";
import { colors, TOUCH } from "../theme";

const when = (epoch: number) => new Date(epoch * 1000).toLocaleString();
const describe = (c: Conversation) =>
  `${c.channel} conversation, ${c.message_count} messages, updated ${when(c.updated_at)}${c.waiting_for_human ? ", waiting for a person" : ""}`;

export function ConversationsScreen({
  session,
  onOpen,
  onSignOut,
}: {
  session: Session;
  onOpen: (conversationId: string | null) => void;
  onSignOut: () => void;
}) {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: Conversation[] }>("/v1/conversations?limit=50", session.token)
      .then((page) => setItems(page.items))
      .catch(() => setError("Your conversations could not be loaded; your last one is still readable."));
  }, [session.token]);

  return (
    <View style={styles.screen}>
      <View style={styles.header}>
        <Text style={styles.title} accessibilityRole="header">
          Your conversations
        </Text>
        <Pressable onPress={onSignOut} accessibilityRole="button" accessibilityLabel="Sign out" style={styles.small}>
          <Text style={styles.link}>Sign out</Text>
        </Pressable>
      </View>
      <Pressable style={styles.primary} accessibilityRole="button" accessibilityLabel="New conversation" onPress={() => onOpen(NEW_CONVERSATION)}>
        <Text style={styles.primaryText}>New conversation</Text>
      </Pressable>
      {error && (
        <Pressable accessibilityRole="button" accessibilityLabel="Open the last conversation" onPress={() => onOpen(null)} style={styles.small}>
          <Text style={styles.error}>{error}</Text>
        </Pressable>
      )}
      <FlatList
        data={items ?? []}
        keyExtractor={(c) => c.id}
        renderItem={({ item }) => (
          <Pressable style={styles.row} accessibilityRole="button" accessibilityLabel={describe(item)} onPress={() => onOpen(item.id)}>
            <Text style={styles.rowTitle}>{item.intent ? item.intent.replace(/_/g, " ") : "Conversation"}</Text>
            <Text style={styles.rowDetail}>{describe(item)}</Text>
          </Pressable>
        )}
        ListEmptyComponent={items ? <Text style={styles.rowDetail}>No conversations yet.</Text> : null}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, padding: 16, backgroundColor: colors.background },
  header: { flexDirection: "row", justifyContent: "space-between", alignItems: "center" },
  title: { fontSize: 22, fontWeight: "700", color: colors.text },
  small: { minHeight: TOUCH, justifyContent: "center" },
  link: { color: colors.primary, fontSize: 16 },
  primary: { marginVertical: 12, minHeight: TOUCH, borderRadius: 8, backgroundColor: colors.primary, justifyContent: "center", alignItems: "center" },
  primaryText: { color: colors.onPrimary, fontSize: 17, fontWeight: "600" },
  error: { color: colors.error, fontSize: 15 },
  row: { paddingVertical: 12, borderBottomWidth: 1, borderColor: colors.border, minHeight: TOUCH },
  rowTitle: { fontSize: 17, color: colors.text, fontWeight: "600" },
  rowDetail: { fontSize: 14, color: colors.muted },
});
