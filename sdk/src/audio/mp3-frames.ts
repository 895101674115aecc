/**
 * Where whole MP3 frames end in a stream cut anywhere. Text-to-speech arrives in pieces cut at arbitrary
 * bytes; decoding only whole frames keeps a half frame at the end of one piece from decoding as noise.
 * (ISO/IEC 11172-3 and 13818-3 frame headers; ID3v2 tags are passed over whole.)
 */

// kbit/s by bitrate index 1..14, for [MPEG-1, MPEG-2/2.5] × [Layer I, II, III].
const bitrates = [
  [
    [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];

// Hz by sample-rate index 0..2, for version bits 0 (MPEG-2.5), 2 (MPEG-2), 3 (MPEG-1).
const sampleRates: Record<number, number[]> = {
  0: [11_025, 12_000, 8000],
  2: [22_050, 24_000, 16_000],
  3: [44_100, 48_000, 32_000],
};

/** The length in bytes of the MP3 frame whose header starts at `at`, or null if no valid header is there. */
export function mp3FrameLength(bytes: Uint8Array, at: number): number | null {
  if (at + 4 > bytes.length) return null;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 0x3;
  const layerBits = (b1 >> 1) & 0x3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0x3;
  const rates = sampleRates[version];
  if (!rates || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const layer = 4 - layerBits; // 1, 2 or 3
  const mpeg1 = version === 3;
  const bitrate = bitrates[mpeg1 ? 0 : 1]![layer - 1]![bitrateIndex - 1]! * 1000;
  const sampleRate = rates[rateIndex]!;
  const padding = (b2 >> 1) & 0x1;
  if (layer === 1) return (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  const perFrame = layer === 3 && !mpeg1 ? 72 : 144;
  return Math.floor((perFrame * bitrate) / sampleRate) + padding;
}

/** The length of an ID3v2 tag starting at `at` (header, body and footer), or null if none starts there. */
export function id3TagLength(bytes: Uint8Array, at: number): number | null {
  if (at + 10 > bytes.length) return null;
  if (bytes[at] !== 0x49 || bytes[at + 1] !== 0x44 || bytes[at + 2] !== 0x33) return null;
  // The size is "syncsafe": 4 bytes of 7 bits each.
  let size = 0;
  for (let i = 6; i < 10; i++) size = (size << 7) | (bytes[i + at]! & 0x7f);
  const footer = (bytes[at + 5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * The length of the longest prefix of `bytes` that ends on a frame boundary: whole frames and tags, with
 * any bytes that are neither (a stream joined mid-frame) passed over up to the next frame that is followed by
 * another header, or that ends exactly at the end of the bytes.
 */
export function completeMp3Length(bytes: Uint8Array): number {
  let at = 0;
  let complete = 0;
  while (at < bytes.length) {
    const tag = id3TagLength(bytes, at);
    if (tag !== null) {
      if (at + tag > bytes.length) break;
      at += tag;
      complete = at;
      continue;
    }
    const frame = mp3FrameLength(bytes, at);
    if (frame !== null && frame > 4) {
      if (at + frame > bytes.length) break;
      at += frame;
      complete = at;
      continue;
    }
    // Not a frame: look for the next one, and trust it only if another header (or the end) follows.
    let next = at + 1;
    while (next < bytes.length) {
      const length = mp3FrameLength(bytes, next);
      if (length !== null && length > 4) {
        const after = next + length;
        if (
          after === bytes.length ||
          mp3FrameLength(bytes, after) !== null ||
          id3TagLength(bytes, after) !== null
        ) {
          break;
        }
      }
      next += 1;
    }
    at = next;
  }
  return complete;
}
