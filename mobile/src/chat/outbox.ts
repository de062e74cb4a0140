/**
 * Messages typed while offline wait here, each with its client message id, and are sent in
 * order when the network is back. A message leaves the outbox only once the server took it:
 * a retry after a dropped connection carries the same id, and the server answers 409
 * `duplicate_message` instead of taking it twice, which counts as sent.
 */
import AsyncStorage from "@react-native-async-storage/async-storage";
import { ApiError, newClientMessageId, type AttachmentRef } from "@tandem/client";

export interface QueuedMessage {
  id: string;
  conversationId: string;
  text: string;
  queuedAt: number;
  /** Files already uploaded to the conversation that go with the message. */
  attachments?: AttachmentRef[];
}

/** Sends one message (throws ApiError for a refusal, anything else for a network failure). */
export type Send = (message: QueuedMessage) => Promise<void>;

export type FlushResult = "sent" | "offline" | "busy";

const key = (customer: string) => `tandem.mobile.outbox.${customer}`;

export class Outbox {
  private messages: QueuedMessage[] = [];
  private loaded = false;
  private flushing: Promise<FlushResult> | null = null;

  constructor(private readonly customer: string) {}

  private async load(): Promise<void> {
    if (this.loaded) return;
    try {
      this.messages = JSON.parse((await AsyncStorage.getItem(key(this.customer))) ?? "[]");
    } catch {
      this.messages = [];
    }
    this.loaded = true;
  }

  private async save(): Promise<void> {
    await AsyncStorage.setItem(key(this.customer), JSON.stringify(this.messages));
  }

  /** The messages still waiting, oldest first. */
  async pending(): Promise<QueuedMessage[]> {
    await this.load();
    return [...this.messages];
  }

  /** Queue a message (kept across restarts of the app). */
  async add(conversationId: string, text: string, attachments: AttachmentRef[] = []): Promise<QueuedMessage> {
    await this.load();
    const message: QueuedMessage = { id: newClientMessageId(), conversationId, text, queuedAt: Date.now() };
    if (attachments.length) message.attachments = attachments;
    this.messages.push(message);
    await this.save();
    return message;
  }

  /** Send the waiting messages in order; one flush at a time. */
  flush(send: Send): Promise<FlushResult> {
    this.flushing ??= this.drain(send).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(send: Send): Promise<FlushResult> {
    await this.load();
    while (this.messages.length) {
      const message = this.messages[0];
      try {
        await send(message);
      } catch (error) {
        if (error instanceof ApiError && error.code === "turn_in_progress") return "busy";
        const taken = error instanceof ApiError && error.code === "duplicate_message";
        const refused = error instanceof ApiError && !taken && error.status < 500 && error.status !== 429;
        if (!taken && !refused) return "offline";
        // a refused message (e.g. too long, conversation gone) is dropped rather than retried forever
      }
      this.messages.shift();
      await this.save();
    }
    return "sent";
  }
}
