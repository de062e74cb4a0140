/** The conversation: its messages, order cards, sources, handoff state and the composer. */
import { api, type Session, type Source } from "@tandem/client";
import { useEffect, useRef } from "react";
import { FlatList, Pressable, StyleSheet, Text, View } from "react-native";
import { ConfirmButtons, Composer } from "../components/Composer";
import { CsatPrompt } from "../components/CsatPrompt";
import { MessageBubble } from "../components/MessageBubble";
import { useChat } from "../chat/useChat";
import { colors, TOUCH } from "../theme";

const CONNECTION = { connecting: "Connecting…", online: "Online", offline: "Offline: messages are sent when you're back online" };
const HANDOFF: Record<string, string | null> = {
  none: null,
  waiting: "Waiting for a person to join",
  human: "You're chatting with a person",
  resolved: null,
  returned: null,
};

export function ChatScreen({ session, conversationId, onBack }: { session: Session; conversationId: string | null; onBack: () => void }) {
  const chat = useChat(session, conversationId);
  const { state, dispatchSources, conversationId: openId } = chat;
  const list = useRef<FlatList>(null);
  const sourcesWanted = state.items.find((item) => item.kind === "message" && item.wantsSources && !item.streaming && !item.sources);

  // A help-centre answer: fetch the articles it used, to show as links.
  useEffect(() => {
    if (!sourcesWanted || !openId) return;
    api<Source[]>(`/v1/conversations/${openId}/sources`, session.token)
      .then((sources) => dispatchSources(sourcesWanted.key, sources))
      .catch(() => dispatchSources(sourcesWanted.key, []));
  }, [sourcesWanted, openId, dispatchSources, session.token]);

  const handoff = HANDOFF[state.handoff];
  return (
    <View style={styles.screen}>
      <View style={styles.header}>
        <Pressable onPress={onBack} accessibilityRole="button" accessibilityLabel="Back to conversations" style={styles.back}>
          <Text style={styles.backText}>‹ Back</Text>
        </Pressable>
        <Text style={styles.title} accessibilityRole="header">
          Chat with support
        </Text>
      </View>
      <Text style={styles.connection} role="status" accessibilityLiveRegion="polite" accessibilityLabel={`Connection: ${CONNECTION[chat.connection]}`}>
        {CONNECTION[chat.connection]}
      </Text>
      {handoff && (
        <Text style={styles.handoff} accessibilityLiveRegion="polite">
          {handoff}
        </Text>
      )}
      {chat.failure && (
        <Text style={styles.failure} accessibilityRole="alert">
          {chat.failure}
        </Text>
      )}
      <FlatList
        ref={list}
        style={styles.list}
        contentContainerStyle={{ padding: 12 }}
        data={state.items}
        keyExtractor={(item) => item.key}
        renderItem={({ item }) => <MessageBubble item={item} session={session} />}
        onContentSizeChange={() => list.current?.scrollToEnd({ animated: false })}
        role="log"
        accessibilityLabel="Conversation"
        focusable // a scrolling region must be reachable by keyboard (web)
        ListFooterComponent={
          <View>
            {chat.queued.map((message) => (
              <View key={message.id} style={styles.queued} role="article" accessible accessibilityLabel={`Waiting to send: ${message.text}`}>
                <Text style={styles.queuedText}>{message.text}</Text>
                <Text style={styles.queuedNote}>Waiting to send</Text>
              </View>
            ))}
          </View>
        }
      />
      <Text style={styles.typing} role="status" accessibilityLiveRegion="polite">
        {state.typing ? `${state.typing.agent} is typing…` : ""}
      </Text>
      {state.survey && openId && !state.turnRunning && (
        <CsatPrompt conversationId={openId} customer={session.customerId ?? session.sub} token={session.token} />
      )}
      {state.awaitingConfirmation && !state.turnRunning && <ConfirmButtons onAnswer={(text) => void chat.send(text)} disabled={!chat.conversationId} />}
      <Composer
        onSend={(text, attachments) => void chat.send(text, attachments)}
        disabled={!chat.conversationId}
        conversationId={chat.conversationId}
        token={session.token}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: colors.background },
  header: { flexDirection: "row", alignItems: "center", padding: 8, borderBottomWidth: 1, borderColor: colors.border },
  back: { minHeight: TOUCH, minWidth: TOUCH, justifyContent: "center", paddingHorizontal: 8 },
  backText: { fontSize: 16, color: colors.primary },
  title: { fontSize: 20, fontWeight: "700", color: colors.text, marginLeft: 8 },
  connection: { fontSize: 13, color: colors.muted, paddingHorizontal: 12, paddingTop: 4 },
  handoff: { fontSize: 14, color: colors.success, paddingHorizontal: 12, paddingTop: 4, fontWeight: "600" },
  failure: { fontSize: 14, color: colors.error, padding: 12 },
  list: { flex: 1 },
  typing: { fontSize: 14, color: colors.muted, fontStyle: "italic", paddingHorizontal: 12, minHeight: 20 },
  queued: { alignSelf: "flex-end", backgroundColor: colors.botBubble, borderRadius: 14, padding: 12, marginVertical: 4, maxWidth: "88%" },
  queuedText: { fontSize: 16, color: colors.text },
  queuedNote: { fontSize: 12, color: colors.muted },
});
