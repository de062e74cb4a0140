import { registerForPush } from "../src/push";
import { network } from "./network";

const NATIVE = "a1".repeat(32);

jest.mock("expo-device", () => ({ isDevice: true }));
jest.mock("expo-notifications", () => ({
  getPermissionsAsync: async () => ({ granted: true }),
  requestPermissionsAsync: async () => ({ granted: true }),
  setNotificationChannelAsync: async () => null,
  AndroidImportance: { HIGH: 4 },
  getExpoPushTokenAsync: async () => ({ type: "expo", data: "ExponentPushToken[expo123expo]" }),
  getDevicePushTokenAsync: async () => ({ type: "ios", data: "a1".repeat(32) }),
}));

afterEach(() => {
  delete process.env.EXPO_PUBLIC_PUSH_SERVICE;
});

test("the phone registers its Expo push token for Expo's push service", async () => {
  const calls = network({ "POST /v1/devices": { status: 201, json: {} } });
  await expect(registerForPush("t0k3n")).resolves.toBe("ExponentPushToken[expo123expo]");
  expect(calls).toEqual([
    { method: "POST", path: "/v1/devices", body: { token: "ExponentPushToken[expo123expo]", platform: "ios" } },
  ]);
});

test("built for Amazon SNS, the phone registers its native token instead", async () => {
  process.env.EXPO_PUBLIC_PUSH_SERVICE = "sns";
  const calls = network({ "POST /v1/devices": { status: 201, json: {} } });
  await expect(registerForPush("t0k3n")).resolves.toBe(NATIVE);
  expect(calls).toEqual([{ method: "POST", path: "/v1/devices", body: { token: NATIVE, platform: "ios" } }]);
});
