import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signatureHeader, webhookHeaders } from '../../src/webhooks/webhook-signature.ts';

const body = JSON.stringify({
  id: 'evt_01J8',
  type: 'interview.completed',
  timestamp: '2025-01-01T00:00:00.000Z',
  data: { object: { id: 'int_1', note: 'déjà vu ✓' } },
});
const now = () => Math.floor(Date.now() / 1000);

describe('webhook signatures (verified with the official standardwebhooks package)', () => {
  it('makes secrets of 32 random bytes behind whsec_', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('sends every header a receiver needs', () => {
    const timestamp = now();
    expect(webhookHeaders([newWebhookSecret()], 'evt_01J8', timestamp, body)).toEqual({
      'webhook-id': 'evt_01J8',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      'content-type': 'application/json',
      'user-agent': 'Viva-Webhooks/1',
    });
  });

  it('signs exactly as the reference library does', () => {
    const secret = newWebhookSecret();
    const timestamp = now();
    expect(signatureHeader([secret], 'evt_01J8', timestamp, body)).toBe(
      new Webhook(secret).sign('evt_01J8', new Date(timestamp * 1000), body),
    );
  });

  it('verifies with the one secret', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], 'evt_01J8', now(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('verifies with either secret while a rotation overlaps, and not with a third', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const headers = webhookHeaders([current, previous], 'evt_01J8', now(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('fails on a tampered body or id', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], 'evt_01J8', now(), body);
    expect(() => new Webhook(secret).verify(body.replace('int_1', 'int_2'), headers)).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_other' })).toThrow(
      WebhookVerificationError,
    );
  });

  it.each([
    ['too old', -301],
    ['in the future', 301],
  ])('fails when the timestamp is %s (beyond ±300 s)', (_what, offset) => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], 'evt_01J8', now() + offset, body);
    expect(() => new Webhook(secret).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('passes within the tolerance', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], 'evt_01J8', now() - 240, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('refuses to send a webhook unsigned or with a timestamp that is not whole seconds', () => {
    expect(() => signatureHeader([], 'evt_01J8', now(), body)).toThrow(/without a secret/);
    expect(() => signatureHeader([newWebhookSecret()], 'evt_01J8', now() + 0.5, body)).toThrow(RangeError);
  });
});
