import { expect } from '@open-wc/testing';
import { completeMp3Length, id3TagLength, mp3FrameLength } from '../../src/audio/mp3-frames.ts';
import { createSpeechDecoder } from '../../src/audio/speech-decoder.ts';
import { readWavHeader, WavPcmReader } from '../../src/audio/wav-pcm.ts';

/** An MPEG-1 Layer III frame, 128 kb/s at 44.1 kHz (417 bytes, 418 padded), holding silence. */
function mp3Frame(padded = false): Uint8Array {
  const frame = new Uint8Array(padded ? 418 : 417);
  frame.set([0xff, 0xfb, padded ? 0x92 : 0x90, 0xc0]);
  return frame;
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function id3Tag(bodySize: number): Uint8Array {
  const tag = new Uint8Array(10 + bodySize);
  tag.set([0x49, 0x44, 0x33, 4, 0, 0]);
  tag.set([(bodySize >> 21) & 0x7f, (bodySize >> 14) & 0x7f, (bodySize >> 7) & 0x7f, bodySize & 0x7f], 6);
  return tag;
}

/** A mono 16-bit WAV of a 440 Hz tone. */
function toneWav(sampleRate: number, samples: number, phase = 0): Uint8Array {
  const bytes = new Uint8Array(44 + samples * 2);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    view.setInt16(
      44 + i * 2,
      Math.round(16_000 * Math.sin((2 * Math.PI * 440 * (i + phase)) / sampleRate)),
      true,
    );
  }
  return bytes;
}

/** Cuts bytes at the given offsets, as a speech stream's chunks would be. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const bounds = [0, ...at, bytes.length];
  return bounds.slice(1).map((end, i) => bytes.slice(bounds[i], end));
}

describe('MP3 frames', () => {
  it('reads frame lengths from headers', () => {
    expect(mp3FrameLength(mp3Frame(), 0)).to.equal(417);
    expect(mp3FrameLength(mp3Frame(true), 0)).to.equal(418);
    // MPEG-2 Layer III, 64 kb/s at 24 kHz: 72 × 64000 / 24000 = 192 bytes.
    expect(mp3FrameLength(Uint8Array.from([0xff, 0xf3, 0x84, 0xc4]), 0)).to.equal(192);
    expect(mp3FrameLength(Uint8Array.from([0xff, 0xfb, 0xf0, 0xc0]), 0), 'bad bitrate').to.equal(null);
    expect(mp3FrameLength(Uint8Array.from([0x49, 0x44, 0x33, 0x04]), 0)).to.equal(null);
  });

  it('finds where the whole frames of a cut stream end', () => {
    const frames = join(mp3Frame(), mp3Frame(true), mp3Frame());
    expect(completeMp3Length(frames)).to.equal(1252);
    expect(completeMp3Length(frames.subarray(0, 1000)), 'the third frame is cut').to.equal(835);
    expect(completeMp3Length(frames.subarray(0, 100))).to.equal(0);
  });

  it('passes over an ID3 tag whole, and over bytes before the first frame', () => {
    const tag = id3Tag(50);
    expect(id3TagLength(tag, 0)).to.equal(60);
    expect(completeMp3Length(join(tag, mp3Frame(), mp3Frame()))).to.equal(60 + 834);
    expect(completeMp3Length(tag.subarray(0, 30)), 'a cut tag is not complete').to.equal(0);
    const joinedMidFrame = join(mp3Frame().subarray(300), mp3Frame(), mp3Frame());
    expect(completeMp3Length(joinedMidFrame)).to.equal(117 + 834);
  });

  it('decodes pieces cut anywhere into back-to-back audio as long as the whole file', async () => {
    const file = join(...Array.from({ length: 40 }, () => mp3Frame()));
    const context = new OfflineAudioContext(1, 48_000, 48_000);
    const whole = await context.decodeAudioData(file.slice().buffer);
    const decoder = createSpeechDecoder('mp3', context);
    const pieces: AudioBuffer[] = [];
    for (const piece of cut(file, [1000, 1001, 5000, 9999, 12_345]))
      pieces.push(...(await decoder.push(piece)));
    pieces.push(...(await decoder.end()));
    const total = pieces.reduce((n, b) => n + b.length, 0);
    expect(whole.length, 'the frames decode').to.be.greaterThan(40_000);
    expect(pieces.length, 'audio came out piece by piece, before the end').to.be.greaterThan(2);
    expect(total, 'every sample once: nothing lost at the cuts, nothing twice').to.equal(whole.length);
  });
});

describe('WAV and PCM speech', () => {
  it('reads a header, skipping unknown chunks', () => {
    const wav = toneWav(24_000, 10);
    const header = readWavHeader(wav);
    expect(header).to.deep.equal({
      kind: 'ok',
      format: { sampleRate: 24_000, channels: 1, bitsPerSample: 16, float: false },
      dataAt: 44,
    });
    expect(readWavHeader(wav.subarray(0, 20)).kind).to.equal('need-more');
    expect(readWavHeader(new Uint8Array(64)).kind).to.equal('invalid');
  });

  it('turns a WAV cut mid-sample into the same samples, in order', () => {
    const wav = toneWav(24_000, 1000);
    const reader = new WavPcmReader();
    const samples: number[] = [];
    for (const piece of cut(wav, [20, 45, 301, 1200])) {
      const chunk = reader.push(piece);
      if (chunk) samples.push(...chunk.channels[0]!);
    }
    expect(samples).to.have.length(1000);
    for (const [i, sample] of samples.entries()) {
      const expected = Math.round(16_000 * Math.sin((2 * Math.PI * 440 * i) / 24_000)) / 32_768;
      if (Math.abs(sample - expected) > 1e-6) throw new Error(`sample ${i}: ${sample}, expected ${expected}`);
    }
  });

  it('a new RIFF header starts the next sentence’s file', async () => {
    const context = new OfflineAudioContext(1, 48_000, 48_000);
    const decoder = createSpeechDecoder('wav', context);
    const first = toneWav(24_000, 2400);
    const second = toneWav(24_000, 4800, 2400);
    const buffers: AudioBuffer[] = [];
    for (const piece of [...cut(first, [100]), ...cut(second, [7])])
      buffers.push(...(await decoder.push(piece)));
    const seconds = buffers.reduce((n, b) => n + b.duration, 0);
    expect(seconds).to.be.closeTo(0.3, 1e-9);
    expect(buffers.every((b) => b.sampleRate === 24_000)).to.equal(true);
  });
});
