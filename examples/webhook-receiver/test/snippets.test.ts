import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

/**
 * The Python verification snippet in docs/webhooks.md (snippets/verify.py), run by python3 on deliveries
 * signed by the reference Standard Webhooks library.
 */
const script = join(import.meta.dirname, '..', 'snippets', 'verify.py');
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function delivery(secret: string, body: string, at = new Date(), msgId = 'evt_06h0b7k2a8000x3q9v1m5c2r8d') {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(msgId, at, body),
  };
}

function python(secret: string, headers: Record<string, string>, body: string) {
  const run = spawnSync('python3', [script], {
    input: JSON.stringify({ secret, headers, body }),
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  return { code: run.status, out: `${run.stdout}${run.stderr}`.trim() };
}

describe('the Python snippet', () => {
  const body = JSON.stringify({
    id: 'evt_1',
    type: 'interview.completed',
    data: { object: { name: 'Zoë' } },
  });

  it('verifies a delivery signed by the reference library', () => {
    const secret = newSecret();
    expect(python(secret, delivery(secret, body), body)).toEqual({ code: 0, out: 'verified' });
  });

  it('refuses a changed body, another secret, a stale timestamp and missing headers', () => {
    const secret = newSecret();
    const headers = delivery(secret, body);
    expect(python(secret, headers, body.replace('Zoë', 'Zoe'))).toEqual({
      code: 1,
      out: 'no matching signature',
    });
    expect(python(newSecret(), headers, body).code).toBe(1);
    const stale = delivery(secret, body, new Date(Date.now() - 10 * 60 * 1000));
    expect(python(secret, stale, body).out).toContain('tolerance');
    expect(python(secret, { 'webhook-id': 'evt_1' }, body).out).toBe('missing webhook headers');
  });

  it('accepts either of two signatures, as sent while a secret is rotated', () => {
    const [oldSecret, newOne] = [newSecret(), newSecret()];
    const headers = delivery(newOne, body);
    const both = `${delivery(oldSecret, body)['webhook-signature']} ${headers['webhook-signature']}`;
    expect(python(oldSecret, { ...headers, 'webhook-signature': both }, body).code).toBe(0);
    expect(python(newOne, { ...headers, 'webhook-signature': both }, body).code).toBe(0);
  });
});
