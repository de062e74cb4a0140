/**
 * The browser side of voice mode: the microphone as 16 kHz PCM16 (an AudioWorklet resamples
 * it) sent over the `/v1/voice` WebSocket, and the reply's speech (PCM16 at the rate the
 * server announces) played back as it arrives; `audio_stop` (the customer spoke over the
 * reply) drops what is queued.
 */

export interface VoiceEvents {
  onPartial: (text: string) => void;
  onFinal: (text: string) => void;
  onState: (state: "listening" | "speaking" | "closed") => void;
  onError: (message: string) => void;
}

const TARGET_RATE = 16000;

// Runs on the audio thread: averages input samples down to 16 kHz and posts 20 ms of PCM16.
const WORKLET = `
class Pcm16Capture extends AudioWorkletProcessor {
  constructor() { super(); this.step = sampleRate / ${TARGET_RATE}; this.pos = 0; this.acc = 0; this.n = 0;
    this.out = new Int16Array(${TARGET_RATE / 50}); this.len = 0; }
  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input) return true;
    for (let i = 0; i < input.length; i++) {
      this.acc += input[i]; this.n++; this.pos++;
      if (this.pos >= this.step) {
        this.pos -= this.step;
        const s = Math.max(-1, Math.min(1, this.acc / this.n));
        this.out[this.len++] = s < 0 ? s * 0x8000 : s * 0x7fff; this.acc = 0; this.n = 0;
        if (this.len === this.out.length) { this.port.postMessage(this.out.slice(0).buffer); this.len = 0; }
      }
    }
    return true;
  }
}
registerProcessor("pcm16-capture", Pcm16Capture);
`;

export function voiceSocketUrl(token: string, conversationId: string | null): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const params = new URLSearchParams({ access_token: token });
  if (conversationId) params.set("conversation_id", conversationId);
  return `${scheme}//${window.location.host}/v1/voice?${params}`;
}

/** One voice session; `stop()` hangs up and releases the microphone. */
export class VoiceSession {
  private socket: WebSocket | null = null;
  private context: AudioContext | null = null;
  private stream: MediaStream | null = null;
  private playing: AudioBufferSourceNode[] = [];
  private playAt = 0;
  private replyRate = 22050;

  constructor(private readonly events: VoiceEvents) {}

  async start(token: string, conversationId: string | null): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia || typeof AudioWorkletNode === "undefined") {
      throw new Error("This browser cannot record audio.");
    }
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    });
    const context = (this.context = new AudioContext());
    const module = URL.createObjectURL(new Blob([WORKLET], { type: "application/javascript" }));
    await context.audioWorklet.addModule(module);
    URL.revokeObjectURL(module);
    const capture = new AudioWorkletNode(context, "pcm16-capture");
    context.createMediaStreamSource(this.stream).connect(capture);
    const socket = (this.socket = new WebSocket(voiceSocketUrl(token, conversationId)));
    socket.binaryType = "arraybuffer";
    capture.port.onmessage = (message: MessageEvent<ArrayBuffer>) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(message.data);
    };
    socket.onmessage = (message: MessageEvent<string | ArrayBuffer>) => this.receive(message.data);
    socket.onclose = (close: CloseEvent) => {
      if (close.code === 4503) this.events.onError("Voice is not available on this server.");
      else if (close.code >= 4000) this.events.onError("The voice connection was refused.");
      this.stop();
    };
  }

  private receive(data: string | ArrayBuffer): void {
    if (typeof data !== "string") {
      this.play(data);
      return;
    }
    const event = JSON.parse(data) as { type: string; text?: string; final?: boolean; reply_sample_rate?: number };
    if (event.type === "ready") {
      this.replyRate = event.reply_sample_rate ?? this.replyRate;
      this.events.onState("listening");
    } else if (event.type === "transcript") {
      (event.final ? this.events.onFinal : this.events.onPartial)(event.text ?? "");
    } else if (event.type === "audio_stop") {
      this.silence();
    } else if (event.type === "error") {
      this.events.onError("The voice message was not taken; please try again.");
    }
  }

  private play(data: ArrayBuffer): void {
    const context = this.context;
    if (!context) return;
    const samples = new Int16Array(data);
    const buffer = context.createBuffer(1, samples.length, this.replyRate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 0x8000;
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    this.playAt = Math.max(this.playAt, context.currentTime);
    source.start(this.playAt);
    this.playAt += buffer.duration;
    this.playing.push(source);
    this.events.onState("speaking");
    source.onended = () => {
      this.playing = this.playing.filter((item) => item !== source);
      if (this.playing.length === 0) this.events.onState("listening");
    };
  }

  private silence(): void {
    this.playing.forEach((source) => source.stop());
    this.playing = [];
    this.playAt = 0;
  }

  stop(): void {
    this.silence();
    if (this.socket && this.socket.readyState <= 1) this.socket.close(1000);
    this.socket = null;
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    void this.context?.close();
    this.context = null;
    this.events.onState("closed");
  }
}
