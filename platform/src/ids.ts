import { randomFillSync } from 'node:crypto';

/** Prefixes of every public id: they say what an id is at a glance, in logs and support tickets. */
export const idPrefix = {
  tenant: 'ten',
  apiKey: 'key',
  job: 'job',
  question: 'qst',
  candidate: 'cand',
  interview: 'int',
  turn: 'turn',
  signingKey: 'sig',
  event: 'evt',
  webhookEndpoint: 'we',
  webhookDelivery: 'dlv',
  scorecard: 'sc',
  request: 'req',
} as const;

export type IdKind = keyof typeof idPrefix;

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case: sorts like the bytes

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

let lastMs = 0;
let sequence = 0;

/**
 * The random part of ids, drawn from the CSPRNG a pool at a time: every request gets an id, and one call for
 * 512 ids costs far less than one call each. The bytes are still used once only.
 */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function copyRandom(target: Buffer, at: number, length: number): void {
  if (randomOffset + length > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomPool.copy(target, at, randomOffset, randomOffset + length);
  randomOffset += length;
}

/**
 * A prefixed id whose body sorts by creation time (48-bit milliseconds, a 16-bit per-millisecond counter,
 * then 64 random bits), so ids double as the pagination cursor and index order is insertion order.
 */
export function newId(kind: IdKind): string {
  const now = Date.now();
  sequence = now === lastMs ? (sequence + 1) & 0xffff : 0;
  lastMs = now;
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes.writeUInt16BE(sequence, 6);
  copyRandom(bytes, 8, 8);
  return `${idPrefix[kind]}_${base32(bytes)}`;
}

const idBody = /^[0-9a-hjkmnp-tv-z]{26}$/;

/** True when `value` has the shape of an id of that kind; says nothing about whether it exists. */
export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${idPrefix[kind]}_`;
  return value.startsWith(prefix) && idBody.test(value.slice(prefix.length));
}
