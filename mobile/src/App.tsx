/** The customer app: sign in, the conversation list, a conversation. */
import type { Session } from "@tandem/client";
import { StatusBar } from "expo-status-bar";
import { useEffect, useState } from "react";
import { SafeAreaView, StyleSheet } from "react-native";
import { configureServer } from "./config";
import { registerForPush, unregisterPush } from "./push";
import { ChatScreen } from "./screens/ChatScreen";
import { ConversationsScreen } from "./screens/ConversationsScreen";
import { SignInScreen } from "./screens/SignInScreen";
import { forgetCustomer, loadSession, saveSession } from "./storage";

configureServer();

type Screen = { name: "list" } | { name: "chat"; conversationId: string | null };

export default function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [screen, setScreen] = useState<Screen>({ name: "chat", conversationId: null });
  const [pushToken, setPushToken] = useState<string | null>(null);

  useEffect(() => {
    loadSession().then(setSession);
  }, []);

  useEffect(() => {
    if (!session) return;
    registerForPush(session.token)
      .then(setPushToken)
      .catch(() => setPushToken(null)); // the app works without notifications
  }, [session]);

  const signIn = (next: Session) => {
    void saveSession(next);
    setScreen({ name: "chat", conversationId: null });
    setSession(next);
  };

  const signOut = async () => {
    if (!session) return;
    await unregisterPush(session.token, pushToken).catch(() => undefined);
    await forgetCustomer(session.customerId ?? session.sub);
    await saveSession(null);
    setPushToken(null);
    setSession(null);
  };

  return (
    <SafeAreaView style={styles.root}>
      <StatusBar style="dark" />
      {session === undefined ? null : !session ? (
        <SignInScreen onSignedIn={signIn} />
      ) : screen.name === "list" ? (
        <ConversationsScreen session={session} onOpen={(id) => setScreen({ name: "chat", conversationId: id })} onSignOut={() => void signOut()} />
      ) : (
        <ChatScreen
          key={screen.conversationId ?? "last"}
          session={session}
          conversationId={screen.conversationId}
          onBack={() => setScreen({ name: "list" })}
        />
      )}
    </SafeAreaView>
  );
}

const styles = StyleSheet.create({ root: { flex: 1, backgroundColor: "#ffffff" } });
