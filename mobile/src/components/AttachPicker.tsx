/**
 * Attach a photo from the library or the camera: ask for permission, pick, upload through the
 * shared client, and list the files that go with the next message.
 */
import {
  MAX_ATTACHMENTS,
  formatSize,
  uploadAttachment,
  type AttachControlProps,
  type UploadSource,
} from "@tandem/client";
import * as ImagePicker from "expo-image-picker";
import { useState } from "react";
import { ActivityIndicator, Platform, Pressable, StyleSheet, Text, View } from "react-native";
import { colors, TOUCH } from "../theme";

type Source = "library" | "camera";

const SOURCES: { source: Source; label: string; text: string }[] = [
  { source: "library", label: "Attach a photo from the library", text: "Photo" },
  { source: "camera", label: "Take a photo with the camera", text: "Camera" },
];

/** The picked asset as the upload takes it: the browser's File on the web, else its uri. */
function uploadSource(asset: ImagePicker.ImagePickerAsset, name: string, type: string): UploadSource {
  if (Platform.OS === "web" && asset.file) return asset.file;
  return { uri: asset.uri, name, type };
}

async function pick(source: Source): Promise<ImagePicker.ImagePickerAsset | null | "denied"> {
  const permission =
    source === "camera" ? await ImagePicker.requestCameraPermissionsAsync() : await ImagePicker.requestMediaLibraryPermissionsAsync();
  if (!permission.granted) return "denied";
  const options: ImagePicker.ImagePickerOptions = { mediaTypes: ["images"], quality: 0.8 };
  const result = source === "camera" ? await ImagePicker.launchCameraAsync(options) : await ImagePicker.launchImageLibraryAsync(options);
  return result.canceled ? null : (result.assets[0] ?? null);
}

export function AttachPicker({ conversationId, token, disabled, attached, onChange }: AttachControlProps) {
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const off = disabled || uploading || !conversationId || attached.length >= MAX_ATTACHMENTS;

  const attach = async (source: Source) => {
    if (!conversationId) return;
    setError(null);
    try {
      const asset = await pick(source);
      if (asset === "denied") {
        setError(source === "camera" ? "Allow camera access to take a photo." : "Allow photo access to attach a picture.");
        return;
      }
      if (!asset) return;
      setUploading(true);
      const type = asset.mimeType ?? "image/jpeg";
      const name = asset.fileName ?? `photo.${type.split("/")[1] ?? "jpg"}`;
      const ref = await uploadAttachment(conversationId, uploadSource(asset, name, type), name, token);
      onChange([...attached, ref]);
    } catch (failure) {
      setError((failure as Error).message || "The photo could not be attached.");
    } finally {
      setUploading(false);
    }
  };

  return (
    <View>
      <View style={styles.row}>
        {SOURCES.map(({ source, label, text }) => (
          <Pressable
            key={source}
            style={styles.button}
            accessibilityRole="button"
            accessibilityLabel={label}
            accessibilityState={{ disabled: off }}
            disabled={off}
            onPress={() => void attach(source)}
          >
            <Text style={styles.buttonText}>{text}</Text>
          </Pressable>
        ))}
        {uploading && <ActivityIndicator accessibilityLabel="Uploading the photo" color={colors.primary} />}
      </View>
      {error && (
        <Text style={styles.error} accessibilityRole="alert">
          {error}
        </Text>
      )}
      {attached.map((item) => (
        <View key={item.id} style={styles.chip} accessible accessibilityLabel={`To send: ${item.filename}, ${formatSize(item.size)}`}>
          <Text style={styles.chipText}>
            {item.filename} · {formatSize(item.size)}
          </Text>
          <Pressable
            accessibilityRole="button"
            accessibilityLabel={`Remove ${item.filename}`}
            style={styles.remove}
            onPress={() => onChange(attached.filter((other) => other.id !== item.id))}
          >
            <Text style={styles.buttonText}>✕</Text>
          </Pressable>
        </View>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: "row", gap: 8, paddingHorizontal: 8, alignItems: "center" },
  button: { minHeight: TOUCH, minWidth: TOUCH, paddingHorizontal: 12, borderRadius: 22, borderWidth: 1, borderColor: colors.primary, justifyContent: "center" },
  buttonText: { color: colors.primary, fontSize: 16, fontWeight: "600" },
  error: { color: colors.error, fontSize: 14, paddingHorizontal: 12, paddingTop: 4 },
  chip: { flexDirection: "row", alignItems: "center", marginHorizontal: 8, marginTop: 4, paddingLeft: 12, borderRadius: 16, backgroundColor: colors.botBubble, alignSelf: "flex-start" },
  chipText: { fontSize: 14, color: colors.text },
  remove: { minHeight: TOUCH, minWidth: TOUCH, justifyContent: "center", alignItems: "center" },
});
