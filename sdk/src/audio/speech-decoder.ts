import type { components } from '@viva/openapi/types';
import { completeMp3Length } from './mp3-frames.ts';
import { openAiPcmFormat, type PcmChunk, WavPcmReader } from './wav-pcm.ts';

export type SpeechFormat = components['schemas']['SessionEventInterviewerAudio']['format'];

/**
 * Turns the pieces of one interviewer turn's speech, as `interviewer.audio` events carry them, into audio
 * to play. The pieces are cut wherever the text-to-speech stream was cut, not on frame boundaries, and a
 * turn is several files back to back (one per sentence), so a piece is not decodable on its own:
 *
 * - WAV and raw PCM are read directly, sample by sample (`WavPcmReader`).
 * - MP3 and the other compressed formats are decoded as a growing file: each time, the whole file so far
 *   (for MP3, up to its last whole frame), and only the samples beyond those already handed out are new.
 *   Decoding from the start keeps the decoder's state (MP3's bit reservoir, overlapping transforms) right
 *   at the joins, so the pieces play back to back without clicks or gaps.
 */
export interface SpeechDecoder {
  /** A piece of the turn's audio, in order; resolves with the audio it makes playable (often none yet). */
  push(piece: Uint8Array): Promise<AudioBuffer[]>;
  /** The turn's audio is complete: whatever remains. */
  end(): Promise<AudioBuffer[]>;
}

export function createSpeechDecoder(format: SpeechFormat, context: BaseAudioContext): SpeechDecoder {
  if (format === 'wav') return new PcmDecoder(context, new WavPcmReader());
  if (format === 'pcm') return new PcmDecoder(context, new WavPcmReader(openAiPcmFormat));
  return new GrowingFileDecoder(context, format);
}

class PcmDecoder implements SpeechDecoder {
  constructor(
    private readonly context: BaseAudioContext,
    private readonly reader: WavPcmReader,
  ) {}

  async push(piece: Uint8Array): Promise<AudioBuffer[]> {
    const chunk = this.reader.push(piece);
    return chunk ? [toAudioBuffer(this.context, chunk)] : [];
  }

  async end(): Promise<AudioBuffer[]> {
    return [];
  }
}

/** Whether a piece opens a new file (a new sentence) rather than continuing the current one. */
export function opensNewFile(format: SpeechFormat, piece: Uint8Array): boolean {
  const starts = (...signature: number[]) => signature.every((byte, i) => piece[i] === byte);
  switch (format) {
    case 'mp3':
      // MP3 files joined frame to frame are one stream; only a tag marks a new one, and it decodes either way.
      return false;
    case 'opus':
      // "OggS" with the beginning-of-stream flag.
      return starts(0x4f, 0x67, 0x67, 0x53) && ((piece[5] ?? 0) & 0x02) !== 0;
    case 'flac':
      return starts(0x66, 0x4c, 0x61, 0x43);
    default:
      return false;
  }
}

class GrowingFileDecoder implements SpeechDecoder {
  #file: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  /** Sample frames of the current file already handed out. */
  #handedOut = 0;
  /** File length at the last successful decode: no need to decode again until it grows. */
  #decodedLength = 0;

  constructor(
    private readonly context: BaseAudioContext,
    private readonly format: SpeechFormat,
  ) {}

  async push(piece: Uint8Array): Promise<AudioBuffer[]> {
    const out: AudioBuffer[] = [];
    if (this.#file.length > 0 && opensNewFile(this.format, piece)) {
      out.push(...(await this.#decode(this.#file.length)));
      this.#file = new Uint8Array(0);
      this.#handedOut = 0;
      this.#decodedLength = 0;
    }
    this.#file = concat(this.#file, piece);
    const decodable = this.format === 'mp3' ? completeMp3Length(this.#file) : this.#file.length;
    out.push(...(await this.#decode(decodable)));
    return out;
  }

  end(): Promise<AudioBuffer[]> {
    return this.#decode(this.#file.length);
  }

  async #decode(length: number): Promise<AudioBuffer[]> {
    if (length === 0 || length <= this.#decodedLength) return [];
    let decoded: AudioBuffer;
    try {
      // decodeAudioData takes (detaches) its buffer: give it a copy.
      decoded = await this.context.decodeAudioData(this.#file.slice(0, length).buffer);
    } catch {
      // Too little of a compressed file to decode yet: the next piece will bring more.
      return [];
    }
    this.#decodedLength = length;
    const fresh = decoded.length - this.#handedOut;
    if (fresh <= 0) return [];
    const buffer = this.context.createBuffer(decoded.numberOfChannels, fresh, decoded.sampleRate);
    for (let channel = 0; channel < decoded.numberOfChannels; channel++) {
      buffer.copyToChannel(decoded.getChannelData(channel).subarray(this.#handedOut), channel);
    }
    this.#handedOut = decoded.length;
    return [buffer];
  }
}

function toAudioBuffer(context: BaseAudioContext, chunk: PcmChunk): AudioBuffer {
  const length = chunk.channels[0]?.length ?? 0;
  const buffer = context.createBuffer(chunk.channels.length, length, chunk.sampleRate);
  chunk.channels.forEach((samples, channel) => {
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, channel);
  });
  return buffer;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
