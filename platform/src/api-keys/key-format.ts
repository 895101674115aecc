import { hash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Secret keys look like `sk_test_<32 random base62><6 base62 CRC32>`. The fixed prefix and the checksum let
 * secret scanners (GitHub's, for one) recognise a leaked Viva key with almost no false positives, and let
 * us turn away a mistyped key without a database round trip.
 */
const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomLength = 32;
const checksumLength = 6;
const lookupLength = 10;
const keyPattern = /^sk_(test|live)_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

function encodeBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i += 1) {
    out = base62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function checksum(body: string): string {
  return encodeBase62(crc32(body), checksumLength);
}

export interface NewSecret {
  secret: string;
  lookup: string;
  hash: string;
  redacted: string;
}

export function generateSecret(livemode: boolean): NewSecret {
  let random = '';
  for (let i = 0; i < randomLength; i += 1) random += base62[randomInt(62)];
  const body = `sk_${livemode ? 'live' : 'test'}_${random}`;
  const secret = body + checksum(body);
  return {
    secret,
    lookup: random.slice(0, lookupLength),
    hash: hashSecret(secret),
    redacted: redact(secret),
  };
}

export interface ParsedSecret {
  livemode: boolean;
  lookup: string;
}

/** The key's mode and lookup, or null when it is not a well-formed key with a valid checksum. */
export function parseSecret(secret: string): ParsedSecret | null {
  const match = keyPattern.exec(secret);
  if (!match) return null;
  const [, mode, random = '', sum] = match;
  if (checksum(secret.slice(0, -checksumLength)) !== sum) return null;
  return { livemode: mode === 'live', lookup: random.slice(0, lookupLength) };
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

function redact(secret: string): string {
  return `${secret.slice(0, 12)}…${secret.slice(-4)}`;
}
