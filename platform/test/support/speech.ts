import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PcmFrame } from '../../src/livekit/pcm.ts';

/**
 * Real speech for the LiveKit agent's audio pipeline: sentences spoken by espeak-ng, converted by sox to
 * the rate a LiveKit room delivers (48 kHz), cut into the frames rtc-node's AudioStream yields. Both tools
 * are Debian packages that .ci/run installs; files are cached per text and rate for the run.
 */

const cacheDir = join(tmpdir(), 'viva-speech-fixtures');

export interface Speech {
  samples: Int16Array;
  sampleRate: number;
}

/** `text` as espeak-ng says it, at `sampleRate` (its own rate is 22,050 Hz; sox converts). */
export function spoken(text: string, sampleRate = 48_000): Speech {
  mkdirSync(cacheDir, { recursive: true });
  const name = `${Buffer.from(text).toString('base64url').slice(0, 80)}-${text.length}`;
  const raw = join(cacheDir, `${name}.wav`);
  const converted = join(cacheDir, `${name}-${sampleRate}.wav`);
  execFileSync('espeak-ng', ['-w', raw, text]);
  execFileSync('sox', [raw, '-r', String(sampleRate), '-b', '16', '-c', '1', converted]);
  return decodeWav(readFileSync(converted));
}

export function silence(ms: number, sampleRate = 48_000): Speech {
  return { samples: new Int16Array(Math.round((ms / 1000) * sampleRate)), sampleRate };
}

/** The pieces one after another (all at the first one's rate). */
export function concat(...parts: Speech[]): Speech {
  const length = parts.reduce((n, p) => n + p.samples.length, 0);
  const samples = new Int16Array(length);
  let at = 0;
  for (const part of parts) {
    if (part.sampleRate !== parts[0]!.sampleRate) throw new Error('concat: rates differ');
    samples.set(part.samples, at);
    at += part.samples.length;
  }
  return { samples, sampleRate: parts[0]!.sampleRate };
}

/** Where the speech is: the first and last sample louder than `threshold` (of full scale), in ms. */
export function speechExtentMs(speech: Speech, threshold = 0.02): { startMs: number; endMs: number } {
  const limit = threshold * 32768;
  let first = -1;
  let last = -1;
  for (let i = 0; i < speech.samples.length; i++) {
    if (Math.abs(speech.samples[i]!) >= limit) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { startMs: (first / speech.sampleRate) * 1000, endMs: ((last + 1) / speech.sampleRate) * 1000 };
}

export function durationOf(speech: Speech): number {
  return (speech.samples.length / speech.sampleRate) * 1000;
}

/** The audio as a room delivers it: frames of `frameMs`, each with its own buffer, on `channels` channels. */
export function framesOf(speech: Speech, frameMs = 10, channels = 1): PcmFrame[] {
  const perFrame = Math.round((speech.sampleRate * frameMs) / 1000);
  const frames: PcmFrame[] = [];
  for (let at = 0; at < speech.samples.length; at += perFrame) {
    const mono = speech.samples.subarray(at, Math.min(at + perFrame, speech.samples.length));
    const data = new Int16Array(mono.length * channels);
    for (let i = 0; i < mono.length; i++)
      for (let c = 0; c < channels; c++) data[i * channels + c] = mono[i]!;
    frames.push({ data, sampleRate: speech.sampleRate, channels, samplesPerChannel: mono.length });
  }
  return frames;
}

/** The samples of a 16-bit PCM WAV file (mono or the first channel), wherever its data chunk is. */
export function decodeWav(bytes: Buffer): Speech & { channels: number } {
  if (bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error('not a WAV file');
  }
  let at = 12;
  let sampleRate = 0;
  let channels = 1;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      channels = bytes.readUInt16LE(at + 10);
      sampleRate = bytes.readUInt32LE(at + 12);
      if (bytes.readUInt16LE(at + 22) !== 16) throw new Error('not 16-bit PCM');
    } else if (id === 'data') {
      // espeak-ng streams its WAV: the size may be a placeholder, so read to the end of the file.
      const end = Math.min(bytes.length, at + 8 + size);
      const count = Math.floor((end - at - 8) / 2 / channels);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = bytes.readInt16LE(at + 8 + i * 2 * channels);
      return { samples, sampleRate, channels };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}
