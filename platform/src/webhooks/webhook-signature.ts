import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signing as the Standard Webhooks spec has it (https://www.standardwebhooks.com/), so a receiver can
 * verify with any Standard Webhooks or Svix library as well as by hand.
 */

const secretPrefix = 'whsec_';

/** A new endpoint secret: 32 random bytes, the middle of the spec's 24 to 64. */
export function newWebhookSecret(): string {
  return secretPrefix + randomBytes(32).toString('base64');
}

function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, 'base64');
}

/**
 * The `webhook-signature` value: one `v1,` signature per secret, so that during a rotation a receiver
 * holding either the old or the new secret accepts the message.
 */
export function signatureHeader(secrets: string[], msgId: string, timestamp: number, body: string): string {
  // A webhook without a signature would be indistinguishable from a forged one.
  if (secrets.length === 0) throw new Error('Cannot sign a webhook without a secret.');
  if (!Number.isSafeInteger(timestamp)) {
    throw new RangeError(`The webhook timestamp must be whole unix seconds, not ${timestamp}.`);
  }
  const signed = `${msgId}.${timestamp}.${body}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', signingKey(secret)).update(signed).digest('base64')}`)
    .join(' ');
}

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'content-type': 'application/json';
  'user-agent': string;
};

/**
 * Everything a delivery sends besides the body. `msgId` is the event id, the same on every attempt and
 * every endpoint, so a receiver can drop repeats; `timestamp` is the attempt's, in unix seconds.
 */
export function webhookHeaders(
  secrets: string[],
  msgId: string,
  timestamp: number,
  body: string,
): WebhookHeaders {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, msgId, timestamp, body),
    'content-type': 'application/json',
    'user-agent': 'Viva-Webhooks/1',
  };
}
