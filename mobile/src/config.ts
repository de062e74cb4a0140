/**
 * Where the Tandem server is. The web build talks to the origin that serves it; on a phone
 * the address comes from `EXPO_PUBLIC_TANDEM_API_URL`, else the computer running the Expo
 * dev server (its host, port 8000).
 */
import { configureApi } from "@tandem/client";
import Constants from "expo-constants";
import { fetch as streamingFetch } from "expo/fetch";
import { Platform } from "react-native";

export function serverUrl(): string {
  const configured = process.env.EXPO_PUBLIC_TANDEM_API_URL;
  if (configured) return configured;
  if (Platform.OS === "web") return "";
  const host = Constants.expoConfig?.hostUri?.split(":")[0];
  return host ? `http://${host}:8000` : "http://127.0.0.1:8000";
}

/** Point the shared client at the server, with a fetch whose responses stream on phones. */
export function configureServer(): void {
  configureApi({
    baseUrl: serverUrl(),
    fetch: Platform.OS === "web" ? undefined : (streamingFetch as unknown as typeof fetch),
  });
}
