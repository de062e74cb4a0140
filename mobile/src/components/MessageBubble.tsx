/** One item of the conversation: a message, a tool's status line, or a notice. */
import { apiUrl, attachmentPath, formatSize, isImage, type AttachmentRef, type ChatItem, type Session } from "@tandem/client";
import { Image, Linking, Pressable, StyleSheet, Text, View } from "react-native";
import { colors } from "../theme";
import { OrderCard } from "./OrderCard";

const who = (item: Extract<ChatItem, { kind: "message" }>) =>
  item.role === "customer" ? "You" : item.role === "agent" ? `${item.author ?? "Agent"} (agent)` : "Assistant";

/** Markdown emphasis is shown as plain text: screen readers should not read the asterisks. */
const plain = (text: string) => text.replace(/\*\*(.+?)\*\*/g, "$1");

export function MessageBubble({ item, session }: { item: ChatItem; session: Session }) {
  if (item.kind === "status") {
    return (
      <Text style={styles.status} accessibilityRole="text">
        {item.text}
      </Text>
    );
  }
  if (item.kind === "notice") {
    return (
      <Text style={[styles.notice, item.tone === "error" && { color: colors.error }]} accessibilityLiveRegion="polite">
        {item.text}
      </Text>
    );
  }
  const mine = item.role === "customer";
  return (
    <View
      style={[styles.bubble, mine ? styles.mine : item.role === "agent" ? styles.agent : styles.bot]}
      role="article"
      accessible
      accessibilityLabel={`${who(item)}: ${plain(item.text)}`}
    >
      {!mine && <Text style={styles.author}>{who(item)}</Text>}
      <Text style={[styles.text, mine && { color: colors.onPrimary }]}>{plain(item.text)}</Text>
      {item.attachments?.map((attachment) => <AttachmentView key={attachment.id} attachment={attachment} token={session.token} mine={mine} />)}
      {item.orders?.map((order) => (
        <OrderCard key={order} orderId={order} token={session.token} seen={item.orderCards?.[order]} />
      ))}
      {item.sources && item.sources.length > 0 && (
        <View role="navigation" accessibilityLabel="Sources">
          {item.sources.map((source) => (
            <Pressable
              key={source.article_id}
              accessibilityRole="link"
              accessibilityLabel={`Help-centre article: ${source.title}`}
              onPress={() => void Linking.openURL(source.url)}
            >
              <Text style={styles.link}>{source.title}</Text>
            </Pressable>
          ))}
        </View>
      )}
    </View>
  );
}

/** An attached file: the photo itself (fetched with the token), or a line naming a document. */
function AttachmentView({ attachment, token, mine }: { attachment: AttachmentRef; token: string; mine: boolean }) {
  const label = `Attachment: ${attachment.filename}, ${formatSize(attachment.size)}`;
  return (
    <View accessible accessibilityLabel={label} style={styles.attachment}>
      {isImage(attachment) && (
        <Image
          source={{ uri: apiUrl(attachmentPath(attachment.id)), headers: { Authorization: `Bearer ${token}` } }}
          style={styles.thumb}
          accessibilityIgnoresInvertColors
        />
      )}
      <Text style={[styles.attachmentText, mine && { color: colors.onPrimary }]}>
        📎 {attachment.filename} · {formatSize(attachment.size)}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  attachment: { marginTop: 6 },
  thumb: { width: 160, height: 120, borderRadius: 8 },
  attachmentText: { fontSize: 14, color: colors.text, marginTop: 2 },
  bubble: { borderRadius: 14, padding: 12, marginVertical: 4, maxWidth: "88%" },
  mine: { backgroundColor: colors.customerBubble, alignSelf: "flex-end" },
  bot: { backgroundColor: colors.botBubble, alignSelf: "flex-start" },
  agent: { backgroundColor: colors.agentBubble, alignSelf: "flex-start" },
  author: { fontSize: 13, fontWeight: "600", color: colors.muted, marginBottom: 2 },
  text: { fontSize: 16, color: colors.text },
  status: { fontSize: 14, color: colors.muted, marginVertical: 2, fontStyle: "italic" },
  notice: { fontSize: 14, color: colors.muted, textAlign: "center", marginVertical: 6 },
  link: { fontSize: 15, color: colors.primary, textDecorationLine: "underline", paddingVertical: 8 },
});
