/**
 * 16-bit PCM as the interviewer agent handles it. A `PcmFrame` has the shape of `@livekit/rtc-node`'s
 * `AudioFrame` (interleaved samples), so the audio pipeline is written and tested without the native module.
 */
export interface PcmFrame {
  data: Int16Array;
  sampleRate: number;
  channels: number;
  samplesPerChannel: number;
}

/** The frame's samples as one channel: the channels averaged (a copy only when there is more than one). */
export function monoSamples(frame: PcmFrame): Int16Array {
  if (frame.channels === 1) return frame.data.subarray(0, frame.samplesPerChannel);
  const mono = new Int16Array(frame.samplesPerChannel);
  for (let i = 0; i < frame.samplesPerChannel; i++) {
    let sum = 0;
    for (let c = 0; c < frame.channels; c++) sum += frame.data[i * frame.channels + c]!;
    mono[i] = Math.round(sum / frame.channels);
  }
  return mono;
}

/** The root mean square of the samples, from 0 (silence) to 1 (full scale). */
export function rmsLevel(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]! / 32768;
    sum += s * s;
  }
  return Math.sqrt(sum / samples.length);
}

export function durationMs(samples: number, sampleRate: number): number {
  return (samples / sampleRate) * 1000;
}

/** Mono 16-bit PCM in a WAV container: what the agent submits as the candidate's spoken answer. */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const dataSize = samples.length * 2;
  const wav = Buffer.alloc(44 + dataSize);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + dataSize, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(dataSize, 40);
  for (let i = 0; i < samples.length; i++) wav.writeInt16LE(samples[i]!, 44 + i * 2);
  return wav;
}

/**
 * Cuts a stream of little-endian 16-bit mono PCM (text-to-speech's `pcm` format, in chunks of any length,
 * odd ones included) into frames of `samplesPerFrame`. Each frame owns its buffer: rtc-node hands a frame's
 * whole underlying buffer to the native side, so a view into a larger one would send that instead.
 */
export class PcmFramer {
  readonly #sampleRate: number;
  readonly #samplesPerFrame: number;
  #pending: Buffer = Buffer.alloc(0);

  constructor(sampleRate: number, frameMs = 10) {
    this.#sampleRate = sampleRate;
    this.#samplesPerFrame = Math.round((sampleRate * frameMs) / 1000);
  }

  push(chunk: Uint8Array): PcmFrame[] {
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const frameBytes = this.#samplesPerFrame * 2;
    const frames: PcmFrame[] = [];
    let at = 0;
    for (; at + frameBytes <= this.#pending.length; at += frameBytes) {
      frames.push(this.#frame(this.#pending.subarray(at, at + frameBytes)));
    }
    this.#pending = this.#pending.subarray(at);
    return frames;
  }

  /** What is left, as one shorter frame (an odd trailing byte is dropped); null when nothing is. */
  flush(): PcmFrame | null {
    const usable = this.#pending.length - (this.#pending.length % 2);
    const rest = usable > 0 ? this.#frame(this.#pending.subarray(0, usable)) : null;
    this.#pending = Buffer.alloc(0);
    return rest;
  }

  #frame(bytes: Buffer): PcmFrame {
    const data = new Int16Array(bytes.length / 2);
    for (let i = 0; i < data.length; i++) data[i] = bytes.readInt16LE(i * 2);
    return { data, sampleRate: this.#sampleRate, channels: 1, samplesPerChannel: data.length };
  }
}
