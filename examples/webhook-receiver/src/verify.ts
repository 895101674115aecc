import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Verifies a delivery as the Standard Webhooks spec has it (https://www.standardwebhooks.com/), with nothing
 * but node:crypto, so you can read exactly what is checked. Any Standard Webhooks library does the same.
 */

export type VerificationFailure = 'missing_headers' | 'stale_timestamp' | 'bad_signature';

export class WebhookVerificationError extends Error {
  readonly reason: VerificationFailure;

  constructor(reason: VerificationFailure, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

/** How far `webhook-timestamp` may be from our clock, either way: a captured delivery cannot be replayed later. */
export const toleranceSeconds = 5 * 60;

/**
 * Returns the delivery's `webhook-id` when one of `secrets` signed exactly these bytes within the tolerance;
 * throws a WebhookVerificationError otherwise. Pass several secrets while you rotate: any one may match.
 */
export function verifyWebhook(
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
  secrets: string[],
  now: number = Date.now(),
): string {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  const malformed = typeof timestamp !== 'string' || !/^\d+$/.test(timestamp);
  if (typeof id !== 'string' || typeof signatures !== 'string' || malformed) {
    throw new WebhookVerificationError('missing_headers', 'Missing or malformed webhook-* headers.');
  }
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) {
    throw new WebhookVerificationError(
      'stale_timestamp',
      `webhook-timestamp ${timestamp} is more than 5 minutes from now.`,
    );
  }
  // Sign the bytes as received: parsing and re-serialising the JSON would change them.
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), rawBody]);
  const expected = secrets.map((secret) => createHmac('sha256', signingKey(secret)).update(signed).digest());
  // The header is space-separated `version,signature` pairs; during a rotation Viva sends one per secret.
  const offered = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  // timingSafeEqual: an early-exit comparison would tell an attacker how many leading bytes were right.
  const matches = offered.some((sig) =>
    expected.some((mac) => sig.length === mac.length && timingSafeEqual(sig, mac)),
  );
  if (!matches) throw new WebhookVerificationError('bad_signature', 'No webhook-signature matches.');
  return id;
}

/** The HMAC key is the base64-decoded part of `whsec_…`, not the string itself. */
function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}
