import { ApiError } from '../http/api-error.ts';

/**
 * Checks a candidate's recorded answer before it is stored or sent to speech-to-text: the bytes must be
 * the container the Content-Type names (Opus in WebM or Ogg, or WAV), whole, and not empty. The
 * containers are read by hand, since only their framing and timing are needed, never the audio itself.
 */

export type AnswerContentType = 'audio/webm' | 'audio/ogg' | 'audio/wav';

export interface InspectedAudio {
  contentType: AnswerContentType;
  /**
   * Null when it cannot be told cheaply; none of the accepted containers is like that today
   * (MediaRecorder's WebM has no Duration, so it is timed by its last block).
   */
  durationMs: number | null;
}

/** What a recorder may send, best first: MediaRecorder's choices in Chromium and Firefox, then plain WAV. */
export const acceptedAudioTypes = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/wav'] as const;

/**
 * About ten minutes of Chromium's MediaRecorder Opus (near 130 kb/s), but only 109 s of 48 kHz 16-bit
 * mono WAV: a recorder falling back to WAV should record at 16 kHz to reach the five minutes.
 */
export const maxAnswerBytes = 10 * 1024 * 1024;
export const maxAnswerSeconds = 300;

const declaredTypes = new Map<string, AnswerContentType>([
  ['audio/webm', 'audio/webm'],
  ['audio/ogg', 'audio/ogg'],
  ['audio/wav', 'audio/wav'],
  ['audio/x-wav', 'audio/wav'],
  ['audio/wave', 'audio/wav'],
]);

const containerNames: Record<AnswerContentType, string> = {
  'audio/webm': 'WebM',
  'audio/ogg': 'Ogg',
  'audio/wav': 'WAV',
};

export function inspectAudio(bytes: Buffer, declaredContentType: string): InspectedAudio {
  const declared = declaredContainer(declaredContentType);
  if (bytes.length === 0) throw invalid('The audio answer is empty.');
  const actual = sniff(bytes);
  if (actual === null) throw invalid('The audio answer is not a WebM, Ogg or WAV file.');
  if (actual !== declared) {
    throw new ApiError(
      'unsupported_media_type',
      `The Content-Type says ${declared} but the audio is ${containerNames[actual]}: send it as ${actual}.`,
    );
  }
  const durationMs =
    actual === 'audio/wav'
      ? wavDurationMs(bytes)
      : actual === 'audio/ogg'
        ? oggOpusDurationMs(bytes)
        : webmOpusDurationMs(bytes);
  return { contentType: actual, durationMs };
}

function declaredContainer(contentType: string): AnswerContentType {
  const [type = '', ...params] = contentType
    .toLowerCase()
    .split(';')
    .map((part) => part.trim());
  const container = declaredTypes.get(type);
  const shown = contentType.slice(0, 100);
  if (container === undefined) {
    throw new ApiError(
      'unsupported_media_type',
      `Audio answers must be audio/webm or audio/ogg (Opus), or audio/wav; got "${shown}".`,
    );
  }
  const codecs = params
    .find((param) => param.startsWith('codecs='))
    ?.slice('codecs='.length)
    .replaceAll('"', '');
  if (container !== 'audio/wav' && codecs !== undefined && codecs !== 'opus') {
    throw new ApiError(
      'unsupported_media_type',
      `${container} answers must use the Opus codec; got "${shown}".`,
    );
  }
  return container;
}

function sniff(bytes: Buffer): AnswerContentType | null {
  const magic = bytes.subarray(0, 4);
  if (magic.equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return 'audio/webm';
  if (magic.toString('latin1') === 'OggS') return 'audio/ogg';
  if (magic.toString('latin1') === 'RIFF') return 'audio/wav';
  return null;
}

function invalid(detail: string): ApiError {
  return new ApiError('invalid_request', detail);
}

function truncated(container: AnswerContentType): ApiError {
  return invalid(`The audio answer is truncated: its ${containerNames[container]} data ends early.`);
}

const noAudio = 'The audio answer contains no audio.';

/** WAV formats whose byte rate follows from the sample rate: PCM, IEEE float, and their extensible form. */
const uncompressedWavFormats = new Set([1, 3, 0xfffe]);

// WAV: the data chunk's size over the format's byte rate. For uncompressed audio the byte rate must be what
// the sample rate and frame size make it: a file claiming a larger one would pass for shorter than it is.
function wavDurationMs(b: Buffer): number {
  if (b.length < 12) throw truncated('audio/wav');
  if (b.toString('latin1', 8, 12) !== 'WAVE') {
    throw invalid('The audio answer is a RIFF file but not WAV audio.');
  }
  let byteRate: number | null = null;
  let offset = 12;
  while (offset + 8 <= b.length) {
    const id = b.toString('latin1', offset, offset + 4);
    let size = b.readUInt32LE(offset + 4);
    const body = offset + 8;
    const available = b.length - body;
    if (id === 'fmt ') {
      if (size > available) throw truncated('audio/wav');
      byteRate = size < 16 ? 0 : b.readUInt32LE(body + 8);
      const sampleRate = size < 16 ? 0 : b.readUInt32LE(body + 4);
      const blockAlign = size < 16 ? 0 : b.readUInt16LE(body + 12);
      if (byteRate === 0 || b.readUInt16LE(body + 2) === 0 || sampleRate === 0 || blockAlign === 0) {
        throw invalid('The WAV audio has an invalid format chunk.');
      }
      if (uncompressedWavFormats.has(b.readUInt16LE(body)) && byteRate !== sampleRate * blockAlign) {
        throw invalid(
          `The WAV audio has an invalid format chunk: a byte rate of ${byteRate} where ${sampleRate} Hz in ${blockAlign}-byte frames makes ${sampleRate * blockAlign}.`,
        );
      }
    } else if (id === 'data') {
      if (byteRate === null) throw invalid('The WAV audio has no format chunk before its data.');
      // A writer that streams WAV cannot know the length up front and leaves 0 or 0xFFFFFFFF.
      if (size === 0xffffffff || (size === 0 && available > 0)) size = available;
      if (size > available) throw truncated('audio/wav');
      if (size === 0) throw invalid(noAudio);
      return Math.round((size / byteRate) * 1000);
    }
    offset = body + size + (size % 2);
  }
  throw truncated('audio/wav');
}

// Ogg Opus: the last granule position of the Opus stream counts 48 kHz samples, pre-skip included. The
// packets' own lengths are added up too, and the longer of the two is the duration: a last granule
// written small must not pass a long recording for a short one.
function oggOpusDurationMs(b: Buffer): number {
  let serial: number | null = null;
  let preSkip = 0;
  let lastGranule = -1n;
  let packetsMs = 0;
  // Packets of the Opus stream begun so far (the first two are its headers), and whether the last one
  // runs on into the next page.
  let packets = 0;
  let open = false;
  let offset = 0;
  while (offset < b.length) {
    if (offset + 27 > b.length) throw truncated('audio/ogg');
    if (b.toString('latin1', offset, offset + 4) !== 'OggS' || b[offset + 4] !== 0) {
      throw invalid(`The Ogg audio is corrupt: no page starts at byte ${offset}.`);
    }
    const segments = b[offset + 26]!;
    const bodyStart = offset + 27 + segments;
    if (bodyStart > b.length) throw truncated('audio/ogg');
    let bodyLength = 0;
    for (let i = offset + 27; i < bodyStart; i++) bodyLength += b[i]!;
    const end = bodyStart + bodyLength;
    if (end > b.length) throw truncated('audio/ogg');
    if (b.readUInt32LE(offset + 22) !== oggCrc(b, offset, end)) {
      throw invalid(`The Ogg audio is corrupt: the page at byte ${offset} fails its checksum.`);
    }
    const pageSerial = b.readUInt32LE(offset + 14);
    if (serial === null || pageSerial === serial) {
      let at = bodyStart;
      for (let i = offset + 27; i < bodyStart; i++) {
        const lace = b[i]!;
        if (!open) {
          packets += 1;
          if (packets > 2) packetsMs += opusPacketMs(b.subarray(at, at + lace));
        }
        open = lace === 255;
        at += lace;
      }
    }
    if (serial === null) {
      const head = b.subarray(bodyStart, end);
      if (head.length < 19 || head.toString('latin1', 0, 8) !== 'OpusHead') {
        const codec = head.toString('latin1', 1, 7) === 'vorbis' ? 'Vorbis' : 'another codec';
        throw new ApiError('unsupported_media_type', `Ogg answers must be Opus; this one holds ${codec}.`);
      }
      serial = pageSerial;
      preSkip = head.readUInt16LE(10);
    } else if (pageSerial === serial) {
      const granule = b.readBigInt64LE(offset + 6);
      // -1: no packet ends on this page.
      if (granule !== -1n) lastGranule = granule;
    }
    offset = end;
  }
  const samples = Number(lastGranule) - preSkip;
  if (lastGranule < 0n || samples <= 0) throw invalid(noAudio);
  return Math.round(Math.max(samples / 48, packetsMs - preSkip / 48));
}

const oggCrcTable = Uint32Array.from({ length: 256 }, (_, index) => {
  let r = index << 24;
  for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

/** Ogg's CRC-32 (polynomial 0x04C11DB7, unreflected) over a page whose own checksum field counts as zero. */
function oggCrc(b: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    const byte = i >= start + 22 && i < start + 26 ? 0 : b[i]!;
    crc = ((crc << 8) ^ oggCrcTable[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

// WebM (Matroska) element ids.
const ebml = {
  header: 0x1a45dfa3,
  docType: 0x4282,
  segment: 0x18538067,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  codecId: 0x86,
  cluster: 0x1f43b675,
  clusterTimecode: 0xe7,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
} as const;

// Masters worth entering. Entering rather than skipping them flattens the walk, which is what lets
// MediaRecorder's Segment and Clusters of unknown size be read: their ends never need to be known.
const enteredMasters = new Set<number>([
  ebml.header,
  ebml.segment,
  ebml.info,
  ebml.tracks,
  ebml.trackEntry,
  ebml.cluster,
  ebml.blockGroup,
]);

/**
 * WebM: the Info Duration when there is one. MediaRecorder writes none (it cannot know the length when
 * it starts), so otherwise the end of the last Opus block: its cluster's time plus its own offset plus
 * the length its first byte declares. Never less than the blocks' lengths added up, so that neither a
 * Duration written small nor timecodes all at zero pass a long recording for a short one.
 */
function webmOpusDurationMs(b: Buffer): number {
  let docType: string | null = null;
  let scaleNs = 1_000_000;
  let declaredDuration: number | null = null;
  const tracks: Array<{ number: number | null; codec: string | null }> = [];
  let clusterTime = 0;
  let lastBlockEndMs: number | null = null;
  let blocksMs = 0;
  let offset = 0;
  while (offset < b.length) {
    const id = readId(b, offset);
    if (id === 'truncated') throw truncated('audio/webm');
    if (id === null) throw invalid(`The WebM audio is corrupt at byte ${offset}.`);
    const size = readSize(b, offset + id.length);
    if (size === 'truncated') throw truncated('audio/webm');
    if (size === null) throw invalid(`The WebM audio is corrupt at byte ${offset}.`);
    const body = offset + id.length + size.length;
    if (enteredMasters.has(id.value)) {
      if (size.value !== null && body + size.value > b.length) throw truncated('audio/webm');
      if (id.value === ebml.trackEntry) tracks.push({ number: null, codec: null });
      offset = body;
      continue;
    }
    if (size.value === null) throw invalid(`The WebM audio is corrupt at byte ${offset}.`);
    const end = body + size.value;
    if (end > b.length) throw truncated('audio/webm');
    const data = b.subarray(body, end);
    const track = tracks.at(-1);
    switch (id.value) {
      case ebml.docType:
        docType = data.toString('latin1').replace(/\0+$/, '');
        break;
      case ebml.timecodeScale:
        scaleNs = readUnsigned(data);
        break;
      case ebml.duration:
        declaredDuration =
          data.length === 4 ? data.readFloatBE(0) : data.length === 8 ? data.readDoubleBE(0) : null;
        break;
      case ebml.trackNumber:
        if (track) track.number = readUnsigned(data);
        break;
      case ebml.codecId:
        if (track) track.codec = data.toString('latin1').replace(/\0+$/, '');
        break;
      case ebml.clusterTimecode:
        clusterTime = readUnsigned(data);
        break;
      case ebml.simpleBlock:
      case ebml.block: {
        const opusTrack = tracks.find((t) => t.codec === 'A_OPUS')?.number;
        const trackNumber = readVint(data, 0, 8);
        if (trackNumber === null || trackNumber === 'truncated' || data.length < trackNumber.length + 3) {
          throw invalid(`The WebM audio has a corrupt block at byte ${offset}.`);
        }
        if (trackNumber.value !== opusTrack) break;
        const header = trackNumber.length + 3;
        const startMs = ((clusterTime + data.readInt16BE(trackNumber.length)) * scaleNs) / 1e6;
        // Laced blocks (never written by browsers) count from their start only.
        const laced = (data[trackNumber.length + 2]! & 0x06) !== 0;
        const packetMs = laced ? 0 : opusPacketMs(data.subarray(header));
        blocksMs += packetMs;
        lastBlockEndMs = Math.max(lastBlockEndMs ?? 0, startMs + packetMs);
        break;
      }
    }
    offset = end;
  }
  if (docType !== 'webm') {
    throw new ApiError('unsupported_media_type', `The audio is ${docType ?? 'an EBML file'}, not WebM.`);
  }
  const codecs = tracks.map((t) => t.codec ?? 'unknown');
  if (!codecs.includes('A_OPUS')) {
    throw new ApiError(
      'unsupported_media_type',
      `WebM answers must be Opus; this one holds ${codecs.length ? codecs.join(', ') : 'no audio track'}.`,
    );
  }
  if (declaredDuration !== null && declaredDuration > 0)
    return Math.round(Math.max((declaredDuration * scaleNs) / 1e6, blocksMs));
  if (lastBlockEndMs === null || lastBlockEndMs <= 0) throw invalid(noAudio);
  return Math.round(Math.max(lastBlockEndMs, blocksMs));
}

type Vint<T> = { value: T; length: number } | null | 'truncated';

/** An EBML element id, marker bit kept (ids are written that way in the spec). Null: not an id. */
function readId(b: Uint8Array, at: number): Vint<number> {
  const vint = readVint(b, at, 4);
  return vint === null || vint === 'truncated' ? vint : { value: vint.raw, length: vint.length };
}

/** An EBML size, marker bit dropped; null value: "unknown", as MediaRecorder writes while still recording. */
function readSize(b: Uint8Array, at: number): Vint<number | null> {
  const vint = readVint(b, at, 8);
  return vint === null || vint === 'truncated'
    ? vint
    : { value: vint.unknown ? null : vint.value, length: vint.length };
}

function readVint(
  b: Uint8Array,
  at: number,
  maxLength: number,
): { raw: number; value: number; unknown: boolean; length: number } | null | 'truncated' {
  if (at >= b.length) return 'truncated';
  const first = b[at]!;
  const length = Math.clz32(first) - 23;
  if (first === 0 || length > maxLength) return null;
  if (at + length > b.length) return 'truncated';
  let raw = first;
  let value = first & (0xff >> length);
  let unknown = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    raw = raw * 256 + b[at + i]!;
    value = value * 256 + b[at + i]!;
    unknown &&= b[at + i] === 0xff;
  }
  return { raw, value, unknown, length };
}

function readUnsigned(data: Uint8Array): number {
  return data.reduce((value, byte) => value * 256 + byte, 0);
}

/** How much audio one Opus packet holds, from its TOC byte (RFC 6716, section 3.1). */
function opusPacketMs(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const config = toc >> 3;
  const frameMs =
    config < 12
      ? [10, 20, 40, 60][config % 4]!
      : config < 16
        ? [10, 20][config % 2]!
        : [2.5, 5, 10, 20][config % 4]!;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  return frameMs * frames;
}
