/**
 * WAV speech turned into samples as it arrives, without `decodeAudioData`: PCM needs no decoder, and a WAV
 * cut into pieces has its header only in the first one, so the pieces after it would not decode on their own.
 * Each new file (a `RIFF` header at the start of a piece: text-to-speech speaks sentence by sentence) starts
 * over. Headerless `pcm` (OpenAI's: 24 kHz, 16-bit, mono) is read with that format from the first byte.
 */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
  /** 8, 16, 24 or 32 (integer PCM), or 32 with `float` (IEEE float). */
  bitsPerSample: number;
  float: boolean;
}

/** New samples, one array per channel. */
export interface PcmChunk {
  sampleRate: number;
  channels: Float32Array[];
}

export const openAiPcmFormat: PcmFormat = {
  sampleRate: 24_000,
  channels: 1,
  bitsPerSample: 16,
  float: false,
};

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  at + text.length <= bytes.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

export function startsWithRiff(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE');
}

type HeaderResult =
  | { kind: 'need-more' }
  | { kind: 'invalid' }
  | { kind: 'ok'; format: PcmFormat; dataAt: number };

/** Reads a WAV header (RIFF, `fmt `, then up to `data`), skipping other chunks. */
export function readWavHeader(bytes: Uint8Array): HeaderResult {
  if (bytes.length < 12) return { kind: 'need-more' };
  if (!startsWithRiff(bytes)) return { kind: 'invalid' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: PcmFormat | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const size = view.getUint32(at + 4, true);
    if (ascii(bytes, at, 'data')) {
      return format ? { kind: 'ok', format, dataAt: at + 8 } : { kind: 'invalid' };
    }
    if (ascii(bytes, at, 'fmt ')) {
      if (at + 8 + 16 > bytes.length) return { kind: 'need-more' };
      let tag = view.getUint16(at + 8, true);
      if (tag === 0xfffe) {
        // WAVE_FORMAT_EXTENSIBLE: the real tag opens the subformat GUID, 24 bytes into the chunk.
        if (size < 40) return { kind: 'invalid' };
        if (at + 8 + 26 > bytes.length) return { kind: 'need-more' };
        tag = view.getUint16(at + 8 + 24, true);
      }
      // 1: integer PCM; 3: IEEE float.
      if (tag !== 1 && tag !== 3) return { kind: 'invalid' };
      const bitsPerSample = view.getUint16(at + 22, true);
      format = {
        channels: view.getUint16(at + 10, true),
        sampleRate: view.getUint32(at + 12, true),
        bitsPerSample,
        float: tag === 3,
      };
      if (format.channels < 1 || format.sampleRate < 1 || ![8, 16, 24, 32].includes(bitsPerSample)) {
        return { kind: 'invalid' };
      }
    }
    // Chunks are padded to an even length.
    at += 8 + size + (size % 2);
  }
  return { kind: 'need-more' };
}

/** Converts whole sample frames of PCM bytes to float samples, one array per channel. */
export function pcmToFloat(bytes: Uint8Array, format: PcmFormat): Float32Array[] {
  const bytesPerSample = format.bitsPerSample / 8;
  const frameBytes = bytesPerSample * format.channels;
  const frames = Math.floor(bytes.length / frameBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
  for (let frame = 0; frame < frames; frame++) {
    for (let channel = 0; channel < format.channels; channel++) {
      const at = frame * frameBytes + channel * bytesPerSample;
      channels[channel]![frame] = sampleAt(view, at, format);
    }
  }
  return channels;
}

function sampleAt(view: DataView, at: number, format: PcmFormat): number {
  switch (format.bitsPerSample) {
    case 8:
      return (view.getUint8(at) - 128) / 128;
    case 16:
      return view.getInt16(at, true) / 32_768;
    case 24: {
      const value = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
      return value / 8_388_608;
    }
    default:
      return format.float ? view.getFloat32(at, true) : view.getInt32(at, true) / 2_147_483_648;
  }
}

/** Feeds pieces of WAV (or headerless PCM) in order; returns the whole sample frames each piece completes. */
export class WavPcmReader {
  readonly #headerless: PcmFormat | null;
  #format: PcmFormat | null;
  #pending: Uint8Array = new Uint8Array(0);

  /** `headerless`: the format of raw PCM without a WAV header; omit for WAV. */
  constructor(headerless?: PcmFormat) {
    this.#headerless = headerless ?? null;
    this.#format = this.#headerless;
  }

  push(piece: Uint8Array): PcmChunk | null {
    // Only 'RIFF' is checked: a piece may be too short to show 'WAVE' too, and raw samples that happen to
    // spell 'RIFF' at the very start of a piece are far less likely than a short piece.
    if (this.#headerless === null && ascii(piece, 0, 'RIFF')) {
      // A new file: whatever remained of the last one was a partial sample frame.
      this.#format = null;
      this.#pending = new Uint8Array(0);
    }
    let bytes = concat(this.#pending, piece);
    if (this.#format === null) {
      const header = readWavHeader(bytes);
      if (header.kind === 'need-more') {
        this.#pending = bytes;
        return null;
      }
      if (header.kind === 'invalid') {
        this.#pending = new Uint8Array(0);
        return null;
      }
      this.#format = header.format;
      bytes = bytes.subarray(header.dataAt);
    }
    const format = this.#format;
    const frameBytes = (format.bitsPerSample / 8) * format.channels;
    const whole = bytes.length - (bytes.length % frameBytes);
    this.#pending = bytes.slice(whole);
    if (whole === 0) return null;
    return { sampleRate: format.sampleRate, channels: pcmToFloat(bytes.subarray(0, whole), format) };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
