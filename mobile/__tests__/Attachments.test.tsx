import AsyncStorage from "@react-native-async-storage/async-storage";
import { fireEvent, render, screen, waitFor } from "@testing-library/react-native";
import * as ImagePicker from "expo-image-picker";
import { ChatScreen } from "../src/screens/ChatScreen";
import { conversation, session } from "./fixtures";
import { network } from "./network";

// The system's photo library and camera are native screens: the picker's answers stand in.
jest.mock("expo-image-picker", () => ({
  requestMediaLibraryPermissionsAsync: jest.fn(),
  requestCameraPermissionsAsync: jest.fn(),
  launchImageLibraryAsync: jest.fn(),
  launchCameraAsync: jest.fn(),
}));
const picker = jest.mocked(ImagePicker);


const PHOTO = { id: `att_${"a".repeat(32)}`, filename: "receipt.jpg", content_type: "image/jpeg", size: 122_880 };

/** The customer allows photo access and picks one JPEG. */
function libraryGives(uri: string, fileName: string) {
  picker.requestMediaLibraryPermissionsAsync.mockResolvedValue({ granted: true } as ImagePicker.MediaLibraryPermissionResponse);
  picker.launchImageLibraryAsync.mockResolvedValue({
    canceled: false,
    assets: [{ uri, fileName, mimeType: "image/jpeg", width: 640, height: 480 }],
  });
}

function opened(extra: Parameters<typeof network>[0] = {}) {
  return network({
    "POST /v1/conversations": { status: 201, json: conversation },
    "GET /v1/conversations/c1/messages": { json: { items: [], next_cursor: null } },
    "GET /v1/conversations/c1/events": { status: 204 },
    ...extra,
  });
}

// Phones build multipart bodies with React Native's FormData (file parts by uri); use it here.
const platformFormData = globalThis.FormData;
beforeAll(() => {
  globalThis.FormData = jest.requireActual("react-native/Libraries/Network/FormData").default;
});
afterAll(() => {
  globalThis.FormData = platformFormData;
});

beforeEach(async () => {
  await AsyncStorage.clear();
  jest.clearAllMocks();
});

test("a photo from the library is uploaded and sent with the message", async () => {
  libraryGives("file:///photos/IMG_1.jpg", "receipt.jpg");
  const calls = opened({
    "POST /v1/conversations/c1/attachments": { status: 201, json: PHOTO },
    "POST /v1/conversations/c1/messages": {
      sse: [
        { type: "customer_message", text: "", attachments: [PHOTO] },
        { type: "done", conversation_id: "c1", reply: "Thanks, I can see the photo.", waiting_for_human: false, handoff_status: "none" },
      ],
    },
  });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);
  await waitFor(() => expect(calls.some((call) => call.path === "/v1/conversations")).toBe(true));

  fireEvent.press(await screen.findByRole("button", { name: "Attach a photo from the library" }));
  expect(await screen.findByLabelText("To send: receipt.jpg, 120 KB")).toBeOnTheScreen();
  const upload = calls.find((call) => call.path === "/v1/conversations/c1/attachments");
  const parts = (upload?.body as unknown as { getParts: () => Record<string, unknown>[] }).getParts();
  expect(parts).toEqual([expect.objectContaining({ fieldName: "file", uri: "file:///photos/IMG_1.jpg", name: "receipt.jpg", type: "image/jpeg" })]);

  fireEvent.press(screen.getByRole("button", { name: "Send" }));
  expect(await screen.findByLabelText("Attachment: receipt.jpg, 120 KB")).toBeOnTheScreen();
  const posted = calls.filter((call) => call.method === "POST" && call.path === "/v1/conversations/c1/messages");
  expect(posted.map((call) => call.body)).toEqual([{ text: "", client_message_id: expect.any(String), attachments: [PHOTO.id] }]);
  expect(screen.queryByLabelText("To send: receipt.jpg, 120 KB")).toBeNull();
});

test("without camera access nothing is uploaded and the customer is told why", async () => {
  picker.requestCameraPermissionsAsync.mockResolvedValue({ granted: false } as ImagePicker.CameraPermissionResponse);
  const calls = opened();
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);
  await waitFor(() => expect(calls.some((call) => call.path === "/v1/conversations")).toBe(true));
  fireEvent.press(await screen.findByRole("button", { name: "Take a photo with the camera" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("Allow camera access to take a photo.");
  expect(picker.launchCameraAsync).not.toHaveBeenCalled();
  expect(calls.some((call) => call.path.endsWith("/attachments"))).toBe(false);
});

test("a refused file shows the server's reason", async () => {
  libraryGives("file:///photos/huge.jpg", "huge.jpg");
  const calls = opened({
    "POST /v1/conversations/c1/attachments": {
      status: 413,
      json: { status: 413, code: "attachment_too_large", detail: "Attachments are limited to 10485760 bytes." },
    },
  });
  render(<ChatScreen session={session} conversationId={null} onBack={() => undefined} />);
  await waitFor(() => expect(calls.some((call) => call.path === "/v1/conversations")).toBe(true));
  fireEvent.press(await screen.findByRole("button", { name: "Attach a photo from the library" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("Attachments are limited to 10485760 bytes.");
  expect(screen.queryByLabelText(/^To send:/)).toBeNull();
});
