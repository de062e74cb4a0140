import { unregisterPush } from "../src/push";
import { network } from "./network";

test("signing out deletes the phone's push token on the server", async () => {
  const calls = network({ "DELETE /v1/devices/": { status: 204 } });
  await unregisterPush("t0k3n", "ExponentPushToken[abc123abc123]");
  expect(calls).toEqual([
    { method: "DELETE", path: "/v1/devices/ExponentPushToken%5Babc123abc123%5D", body: undefined },
  ]);
});

test("a token the server no longer has is not an error; a server failure is", async () => {
  network({ "DELETE /v1/devices/": { status: 404, json: { detail: "No such device", code: "device_not_found" } } });
  await expect(unregisterPush("t0k3n", "ExponentPushToken[abc123abc123]")).resolves.toBeUndefined();
  network({ "DELETE /v1/devices/": { status: 503, json: { detail: "unavailable", code: "devices_unavailable" } } });
  await expect(unregisterPush("t0k3n", "ExponentPushToken[abc123abc123]")).rejects.toThrow("unavailable");
});
