import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/api-error.ts';
import { inspectAudio } from '../../src/sessions/audio-answer.ts';

/**
 * Real files where this machine can make them: WAV from espeak-ng and sox, and Ogg Vorbis from sox (the
 * wrong codec, and a check of the Ogg checksum below against a real muxer). Nothing here encodes Opus, so
 * Ogg Opus and WebM Opus are built by hand, byte for byte as Firefox and Chromium's MediaRecorder lay
 * them out, with Opus packets whose first byte declares 20 ms of audio.
 */

function refusal(bytes: Buffer, contentType: string): ApiError {
  try {
    inspectAudio(bytes, contentType);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`inspectAudio accepted ${bytes.length} bytes declared as ${contentType}`);
}

// ---- WAV ----

function wav(o: {
  ms: number;
  sampleRate?: number;
  channels?: number;
  bits?: number;
  dataSize?: number;
  extra?: Buffer;
}): Buffer {
  const { ms, sampleRate = 48_000, channels = 1, bits = 16 } = o;
  const blockAlign = (channels * bits) / 8;
  const samples = Buffer.alloc(Math.round((ms / 1000) * sampleRate) * blockAlign);
  for (let i = 0; i < samples.length / 2; i++)
    samples.writeInt16LE(Math.round(8000 * Math.sin(i / 10)), i * 2);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE(sampleRate * blockAlign, 16);
  fmt.writeUInt16LE(blockAlign, 20);
  fmt.writeUInt16LE(bits, 22);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'latin1');
  dataHeader.writeUInt32LE(o.dataSize ?? samples.length, 4);
  const body = Buffer.concat([
    Buffer.from('WAVE', 'latin1'),
    fmt,
    o.extra ?? Buffer.alloc(0),
    dataHeader,
    samples,
  ]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

// ---- Ogg ----

/** Ogg's CRC, written bit by bit from the spec (independently of the table-driven one under test). */
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

function oggPage(o: { type?: number; granule: bigint; seq: number; lacing: number[]; body: Buffer }): Buffer {
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = o.type ?? 0;
  header.writeBigInt64LE(o.granule, 6);
  header.writeUInt32LE(0x5eed, 14);
  header.writeUInt32LE(o.seq, 18);
  header[26] = o.lacing.length;
  const page = Buffer.concat([header, Buffer.from(o.lacing), o.body]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

function lacing(packets: Buffer[]): number[] {
  return packets.flatMap((p) => [...Array<number>(Math.floor(p.length / 255)).fill(255), p.length % 255]);
}

// TOC 0xF8: CELT fullband, 20 ms, one frame (RFC 6716, section 3.1); then a silent frame's bytes.
const opusPacket = Buffer.from([0xf8, 0xff, 0xfe]);

function opusHead(preSkip: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = 1;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48_000, 12);
  return head;
}

function oggOpus(o: { ms: number; preSkip?: number; perPage?: number }): Buffer {
  const { preSkip = 312, perPage = 25 } = o;
  const tags = Buffer.concat([
    Buffer.from('OpusTags', 'latin1'),
    Buffer.from([9, 0, 0, 0]),
    Buffer.from('viva-test'),
    Buffer.alloc(4),
  ]);
  const pages = [
    oggPage({ type: 2, granule: 0n, seq: 0, lacing: [19], body: opusHead(preSkip) }),
    oggPage({ granule: 0n, seq: 1, lacing: lacing([tags]), body: tags }),
  ];
  const total = o.ms / 20;
  for (let sent = 0; sent < total; ) {
    const packets = Array.from({ length: Math.min(perPage, total - sent) }, () => opusPacket);
    sent += packets.length;
    pages.push(
      oggPage({
        type: sent === total ? 4 : 0,
        granule: BigInt(preSkip + sent * 960),
        seq: pages.length,
        lacing: lacing(packets),
        body: Buffer.concat(packets),
      }),
    );
  }
  return Buffer.concat(pages);
}

// ---- WebM ----

function vintSize(n: number): Buffer {
  let length = 1;
  while (n >= 2 ** (7 * length) - 1) length++;
  const out = Buffer.alloc(length);
  let rest = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0]! |= 0x80 >> (length - 1);
  return out;
}

const unknownSize = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

function idBytes(id: number): Buffer {
  return Buffer.from(id.toString(16).padStart(2, '0'), 'hex');
}

function el(id: number, ...children: Array<Buffer | string | number>): Buffer {
  const parts = children.map((c) =>
    typeof c === 'string' ? Buffer.from(c, 'latin1') : typeof c === 'number' ? uint(c) : c,
  );
  const body = Buffer.concat(parts);
  return Buffer.concat([idBytes(id), vintSize(body.length), body]);
}

function unknownSized(id: number, ...children: Buffer[]): Buffer {
  return Buffer.concat([idBytes(id), unknownSize, ...children]);
}

function uint(n: number): Buffer {
  const bytes: number[] = [];
  for (let rest = n; bytes.length === 0 || rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from(bytes);
}

function float64(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleBE(n);
  return out;
}

function simpleBlock(relativeMs: number): Buffer {
  const header = Buffer.alloc(4);
  header[0] = 0x81; // track 1
  header.writeInt16BE(relativeMs, 1);
  header[3] = 0x80; // keyframe
  return el(0xa3, header, opusPacket);
}

/** Laid out as Chromium's MediaRecorder writes it: Segment and Clusters of unknown size, no Duration. */
function webm(o: {
  ms: number;
  perCluster?: number;
  duration?: number;
  codec?: string;
  docType?: string;
  /** Each block's and cluster's time, in ms; where they really start unless told. */
  blockMs?: (ms: number) => number;
}): Buffer {
  const at = o.blockMs ?? ((ms: number) => ms);
  const { perCluster = 30, codec = 'A_OPUS', docType = 'webm' } = o;
  const header = el(
    0x1a45dfa3,
    el(0x4286, 1),
    el(0x42f7, 1),
    el(0x42f2, 4),
    el(0x42f3, 8),
    el(0x4282, docType),
    el(0x4287, 4),
    el(0x4285, 2),
  );
  const info = el(
    0x1549a966,
    el(0x2ad7b1, 1_000_000),
    el(0x4d80, 'Chrome'),
    el(0x5741, 'Chrome'),
    ...(o.duration === undefined ? [] : [el(0x4489, float64(o.duration))]),
  );
  const tracks = el(
    0x1654ae6b,
    el(
      0xae,
      el(0xd7, 1),
      el(0x73c5, 0x1234_5678),
      el(0x83, 2),
      el(0x86, codec),
      el(0x63a2, opusHead(312)),
      el(0xe1, el(0xb5, float64(48_000)), el(0x9f, 1)),
    ),
  );
  const clusters: Buffer[] = [];
  const blocks = o.ms / 20;
  for (let first = 0; first < blocks; first += perCluster) {
    const count = Math.min(perCluster, blocks - first);
    const inCluster = Array.from({ length: count }, (_, i) => simpleBlock(at(i * 20)));
    clusters.push(unknownSized(0x1f43b675, el(0xe7, at(first * 20)), ...inCluster));
  }
  const voidElement = el(0xec, Buffer.alloc(5));
  return Buffer.concat([header, unknownSized(0x18538067, info, voidElement, tracks, ...clusters)]);
}

// ---- real files, where this machine can make them ----

const hasTool = (name: string) => spawnSync('which', [name]).status === 0;
const canSynthesize = hasTool('espeak-ng') && hasTool('sox');
const workDir = mkdtempSync(join(tmpdir(), 'viva-audio-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Speech from espeak-ng, converted by sox into `name` with the given output options and effects. */
function soxFile(
  name: string,
  options: string[] = [],
  effects: string[] = [],
): { bytes: Buffer; seconds: number } {
  const speech = join(workDir, 'speech.wav');
  execFileSync('espeak-ng', ['-w', speech, 'I led the migration to a new billing system.']);
  const out = join(workDir, name);
  execFileSync('sox', [speech, ...options, out, ...effects]);
  return { bytes: readFileSync(out), seconds: Number(execFileSync('soxi', ['-D', out]).toString()) };
}

describe('inspectAudio()', () => {
  describe('WAV', () => {
    it.each(['audio/wav', 'audio/x-wav', 'audio/wave', 'Audio/WAV; charset=binary'])(
      'reads the duration of %s',
      (type) => {
        expect(inspectAudio(wav({ ms: 1500 }), type)).toEqual({ contentType: 'audio/wav', durationMs: 1500 });
      },
    );

    it('walks past other chunks and reads stereo 44.1 kHz', () => {
      const list = Buffer.concat([
        Buffer.from('LIST', 'latin1'),
        Buffer.from([3, 0, 0, 0]),
        Buffer.from('abc\0'),
      ]);
      expect(
        inspectAudio(wav({ ms: 2000, sampleRate: 44_100, channels: 2, extra: list }), 'audio/wav').durationMs,
      ).toBe(2000);
    });

    it('refuses PCM whose byte rate is not its sample rate times its frame size', () => {
      const inflated = wav({ ms: 2000 });
      inflated.writeUInt32LE(48_000 * 2 * 100, 28); // would pass 2 s of audio for 20 ms
      expect(refusal(inflated, 'audio/wav')).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/^The WAV audio has an invalid format chunk: a byte rate of 9600000/),
      });
    });

    it('takes the rest of the file when a streaming writer left the data size open', () => {
      expect(inspectAudio(wav({ ms: 750, dataSize: 0xffffffff }), 'audio/wav').durationMs).toBe(750);
    });

    it.skipIf(!canSynthesize)('reads WAV files made by espeak-ng and sox, as soxi does', () => {
      const files = [
        soxFile('mono.wav', ['-r', '48000', '-b', '16', '-c', '1'], ['pad', '0.5', '1']),
        // 24-bit stereo: sox writes WAVE_FORMAT_EXTENSIBLE and a fact chunk before the data.
        soxFile('extensible.wav', ['-b', '24', '-c', '2']),
      ];
      for (const [index, { bytes, seconds }] of files.entries()) {
        expect(inspectAudio(bytes, 'audio/wav').durationMs, `file ${index}`).toBe(Math.round(seconds * 1000));
      }
    });

    it('refuses a WAV cut short, one with no audio, and a RIFF file that is not WAV', () => {
      const whole = wav({ ms: 1000 });
      expect(refusal(whole.subarray(0, whole.length - 100), 'audio/wav')).toMatchObject({
        code: 'invalid_request',
        message: 'The audio answer is truncated: its WAV data ends early.',
      });
      expect(refusal(whole.subarray(0, 30), 'audio/wav').code).toBe('invalid_request');
      expect(refusal(whole.subarray(0, 6), 'audio/wav').code).toBe('invalid_request');
      expect(refusal(wav({ ms: 0 }), 'audio/wav')).toMatchObject({
        code: 'invalid_request',
        message: 'The audio answer contains no audio.',
      });
      const avi = Buffer.from(whole);
      avi.write('AVI ', 8, 'latin1');
      expect(refusal(avi, 'audio/wav')).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/not WAV/),
      });
    });
  });

  describe('Ogg Opus', () => {
    it.each(['audio/ogg', 'audio/ogg;codecs=opus', 'audio/ogg; codecs="opus"'])(
      'reads the duration of %s, less the pre-skip',
      (type) => {
        expect(inspectAudio(oggOpus({ ms: 2000 }), type)).toEqual({
          contentType: 'audio/ogg',
          durationMs: 2000,
        });
      },
    );

    it('skips pages on which no packet ends', () => {
      const big = Buffer.alloc(300, 0xaa);
      big[0] = 0xf8;
      const head = oggOpus({ ms: 0 });
      const audio = oggOpus({ ms: 1000 }).subarray(head.length);
      const spanning = [
        oggPage({ granule: -1n, seq: 2, lacing: [255], body: big.subarray(0, 255) }),
        oggPage({ type: 1, granule: 312n + 960n, seq: 3, lacing: [45], body: big.subarray(255) }),
      ];
      // The sequence numbers are not checked, only the order of granules. Spliced in, the spanning packet
      // makes 51 packets of 20 ms under granules that count 50: the packets' own length wins.
      expect(inspectAudio(Buffer.concat([head, ...spanning, audio]), 'audio/ogg').durationMs).toBe(1014);
      expect(inspectAudio(Buffer.concat([head, ...spanning]), 'audio/ogg').durationMs).toBe(20);
    });

    it('counts the packets when the last granule is written small', () => {
      const pages = oggOpus({ ms: 2000, perPage: 100 });
      const head = oggOpus({ ms: 0 });
      const last = Buffer.from(pages.subarray(head.length));
      last.writeBigInt64LE(312n + 960n, 6); // says 20 ms
      last.writeUInt32LE(0, 22);
      last.writeUInt32LE(oggCrc(last), 22);
      expect(inspectAudio(Buffer.concat([head, last]), 'audio/ogg').durationMs).toBe(1994);
    });

    it('refuses a file cut short, a page that fails its checksum, and headers with no audio', () => {
      const whole = oggOpus({ ms: 1000 });
      expect(refusal(whole.subarray(0, whole.length - 10), 'audio/ogg')).toMatchObject({
        code: 'invalid_request',
        message: 'The audio answer is truncated: its Ogg data ends early.',
      });
      expect(refusal(whole.subarray(0, 20), 'audio/ogg').code).toBe('invalid_request');
      const corrupt = Buffer.from(whole);
      corrupt[corrupt.length - 1]! ^= 0xff;
      expect(refusal(corrupt, 'audio/ogg')).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/fails its checksum/),
      });
      const trailing = Buffer.concat([whole, Buffer.from('garbage!garbage!garbage!garbage!')]);
      expect(refusal(trailing, 'audio/ogg')).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/corrupt/),
      });
      expect(refusal(oggOpus({ ms: 0 }), 'audio/ogg')).toMatchObject({
        message: 'The audio answer contains no audio.',
      });
    });

    it('refuses Ogg without OpusHead on its first page', () => {
      const notOpus = oggPage({ type: 2, granule: 0n, seq: 0, lacing: [19], body: Buffer.alloc(19) });
      expect(refusal(notOpus, 'audio/ogg')).toMatchObject({
        code: 'unsupported_media_type',
        message: 'Ogg answers must be Opus; this one holds another codec.',
      });
    });

    it.skipIf(!canSynthesize)(
      'refuses real Ogg Vorbis from sox, whose checksums match the ones built here',
      () => {
        const { bytes } = soxFile('speech.ogg');
        let pages = 0;
        for (let at = 0; at < bytes.length; pages++) {
          const length =
            27 +
            bytes[at + 26]! +
            [...bytes.subarray(at + 27, at + 27 + bytes[at + 26]!)].reduce((a, b) => a + b, 0);
          const page = Buffer.from(bytes.subarray(at, at + length));
          const stored = page.readUInt32LE(22);
          page.writeUInt32LE(0, 22);
          expect(oggCrc(page), `page ${pages}`).toBe(stored);
          at += length;
        }
        expect(pages).toBeGreaterThan(1);
        expect(refusal(bytes, 'audio/ogg')).toMatchObject({
          code: 'unsupported_media_type',
          message: 'Ogg answers must be Opus; this one holds Vorbis.',
        });
      },
    );
  });

  describe('WebM Opus', () => {
    it.each(['audio/webm', 'audio/webm;codecs=opus', 'AUDIO/WEBM; codecs="opus"'])(
      'reads the duration of MediaRecorder-style %s from its last block',
      (type) => {
        expect(inspectAudio(webm({ ms: 1000 }), type)).toEqual({
          contentType: 'audio/webm',
          durationMs: 1000,
        });
      },
    );

    it('counts blocks across clusters, and prefers a Duration when the file has one', () => {
      expect(inspectAudio(webm({ ms: 3000, perCluster: 40 }), 'audio/webm').durationMs).toBe(3000);
      expect(inspectAudio(webm({ ms: 1000, duration: 1234.5 }), 'audio/webm').durationMs).toBe(1235);
    });

    it('is never shorter than its blocks: a Duration written small, or timecodes all at zero', () => {
      expect(inspectAudio(webm({ ms: 3000, duration: 1 }), 'audio/webm').durationMs).toBe(3000);
      expect(inspectAudio(webm({ ms: 3000, blockMs: () => 0 }), 'audio/webm').durationMs).toBe(3000);
    });

    it('refuses a file cut short, one with no audio, and other codecs or document types', () => {
      const whole = webm({ ms: 1000 });
      expect(refusal(whole.subarray(0, whole.length - 2), 'audio/webm')).toMatchObject({
        code: 'invalid_request',
        message: 'The audio answer is truncated: its WebM data ends early.',
      });
      expect(refusal(whole.subarray(0, 4), 'audio/webm').code).toBe('invalid_request');
      expect(refusal(whole.subarray(0, 10), 'audio/webm').code).toBe('invalid_request');
      expect(refusal(webm({ ms: 0 }), 'audio/webm')).toMatchObject({
        message: 'The audio answer contains no audio.',
      });
      expect(refusal(webm({ ms: 1000, codec: 'A_VORBIS' }), 'audio/webm')).toMatchObject({
        code: 'unsupported_media_type',
        message: 'WebM answers must be Opus; this one holds A_VORBIS.',
      });
      expect(refusal(webm({ ms: 1000, docType: 'matroska' }), 'audio/webm')).toMatchObject({
        code: 'unsupported_media_type',
        message: 'The audio is matroska, not WebM.',
      });
      const corrupt = Buffer.concat([whole, Buffer.from([0x00, 0x00, 0x00])]);
      expect(refusal(corrupt, 'audio/webm')).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/corrupt/),
      });
    });
  });

  describe('Content-Type and garbage', () => {
    it.each([
      [
        wav({ ms: 500 }),
        'audio/ogg',
        'The Content-Type says audio/ogg but the audio is WAV: send it as audio/wav.',
      ],
      [
        webm({ ms: 500 }),
        'audio/wav',
        'The Content-Type says audio/wav but the audio is WebM: send it as audio/webm.',
      ],
      [
        oggOpus({ ms: 500 }),
        'audio/webm;codecs=opus',
        'The Content-Type says audio/webm but the audio is Ogg: send it as audio/ogg.',
      ],
    ])('refuses bytes that are not what the Content-Type says (%#)', (bytes, type, message) => {
      expect(refusal(bytes, type)).toMatchObject({ code: 'unsupported_media_type', status: 415, message });
    });

    it.each([
      'audio/mpeg',
      'video/webm',
      'audio/mp4',
      '',
      'audio/webm;codecs=vorbis',
      'audio/ogg; codecs="flac"',
    ])('refuses Content-Type %j', (type) => {
      expect(refusal(wav({ ms: 500 }), type)).toMatchObject({
        code: 'unsupported_media_type',
        message: expect.stringMatching(/Opus|WAV|wav/),
      });
    });

    it('refuses empty and unrecognisable bytes', () => {
      expect(refusal(Buffer.alloc(0), 'audio/webm')).toMatchObject({
        code: 'invalid_request',
        status: 400,
        message: 'The audio answer is empty.',
      });
      for (const garbage of [
        Buffer.from('hello, this is not audio'),
        Buffer.from([0xff, 0xfb, 0x90, 0xc0]),
        Buffer.from('Og'),
      ]) {
        expect(refusal(garbage, 'audio/ogg')).toMatchObject({
          code: 'invalid_request',
          message: 'The audio answer is not a WebM, Ogg or WAV file.',
        });
      }
    });
  });
});
