/**
 * Push notifications: the phone's push token is registered with the server after sign-in (so
 * an agent's reply or a reply waiting for a yes reaches the phone) and deleted on sign-out.
 * Which token depends on the server's push provider: an Expo push token for Expo's service
 * (`TANDEM_PUSH_PROVIDER=expo`, the default), the phone's native APNs / FCM token for Amazon
 * SNS mobile push (`TANDEM_PUSH_PROVIDER=sns`; build the app with
 * `EXPO_PUBLIC_PUSH_SERVICE=sns`). Web builds and simulators have no push token; they skip it.
 */
import { ApiError, api } from "@tandem/client";
import Constants from "expo-constants";
import * as Device from "expo-device";
import * as Notifications from "expo-notifications";
import { Platform } from "react-native";

const platform = (): "ios" | "android" | "web" =>
  Platform.OS === "ios" ? "ios" : Platform.OS === "android" ? "android" : "web";

/** The token the server's push service delivers to. */
async function phoneToken(): Promise<string> {
  if (process.env.EXPO_PUBLIC_PUSH_SERVICE === "sns") {
    return String((await Notifications.getDevicePushTokenAsync()).data);
  }
  // Expo push tokens belong to an EAS project (`eas init` writes its id into the app config)
  const projectId = Constants.expoConfig?.extra?.eas?.projectId ?? Constants.easConfig?.projectId;
  return (await Notifications.getExpoPushTokenAsync(projectId ? { projectId } : undefined)).data;
}

/** Ask permission, get the push token and register it; the token, or null. */
export async function registerForPush(token: string): Promise<string | null> {
  if (Platform.OS === "web" || !Device.isDevice) return null;
  const settings = await Notifications.getPermissionsAsync();
  const granted = settings.granted || (await Notifications.requestPermissionsAsync()).granted;
  if (!granted) return null;
  if (Platform.OS === "android") {
    await Notifications.setNotificationChannelAsync("default", {
      name: "Replies",
      importance: Notifications.AndroidImportance.HIGH,
    });
  }
  const pushToken = await phoneToken();
  await api("/v1/devices", token, { body: { token: pushToken, platform: platform() } });
  return pushToken;
}

/** Delete the phone's token (sign-out); a token the server no longer has is fine. */
export async function unregisterPush(token: string, pushToken: string | null): Promise<void> {
  if (!pushToken) return;
  try {
    await api(`/v1/devices/${encodeURIComponent(pushToken)}`, token, { method: "DELETE" });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
}
