import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReceiver, type DeliveryContext, type VivaEvent } from '../src/server.ts';

// Deliveries are signed with the reference Standard Webhooks library, not with this example's own code,
// so a mistake in src/verify.ts cannot be mirrored by the same mistake in the signer.

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const minutes = (n: number) => n * 60 * 1000;

let eventCount = 0;
function interviewEvent(interviewId: string, sequence: number, type = 'interview.completed'): VivaEvent {
  eventCount += 1;
  return {
    id: `evt_test${eventCount}`,
    type,
    timestamp: new Date().toISOString(),
    livemode: false,
    interview_id: interviewId,
    sequence,
    data: { object: { id: interviewId, object: 'interview', status: 'completed' } },
  };
}

type Delivery = { body: string; headers: Record<string, string> };

/** What Viva sends: `webhook-*` headers signed over exactly `body`. */
function signed(secret: string, event: VivaEvent, { at = new Date(), msgId = event.id } = {}): Delivery {
  const body = JSON.stringify(event);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(msgId, at, body),
    },
  };
}

const servers: ReturnType<typeof createReceiver>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function startReceiver(secrets: string[]) {
  const received: { event: VivaEvent; context: DeliveryContext }[] = [];
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const server = createReceiver({
    secrets,
    onEvent: (event, context) => void received.push({ event, context }),
    log,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/viva`;

  async function post({ body, headers }: Delivery) {
    const res = await fetch(url, { method: 'POST', body, headers });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
  }
  return { post, received, log };
}

/** The whole response, so that a failing assertion explains itself. */
const shown = (res: { status: number; text: string }) => `${res.status} ${res.text}`;

describe('webhook receiver', () => {
  it('accepts a correctly signed delivery and hands the parsed event over once', async () => {
    const secret = newSecret();
    const { post, received, log } = await startReceiver([secret]);
    const event = interviewEvent('int_a', 3);

    const res = await post(signed(secret, event));

    expect(res.status, shown(res)).toBe(200);
    expect(res.body).toEqual({ received: true });
    expect(received).toEqual([{ event, context: { outOfOrder: false } }]);
    expect(log.info).toHaveBeenCalledWith(`interview.completed ${event.id} sequence=3 interview=int_a`);
  });

  it('rejects a body changed after signing with 400 bad_signature', async () => {
    const secret = newSecret();
    const { post, received } = await startReceiver([secret]);
    const delivery = signed(secret, interviewEvent('int_a', 1));

    const res = await post({ ...delivery, body: delivery.body.replace('"completed"', '"canceled"') });

    expect(res.status, shown(res)).toBe(400);
    expect(res.body).toEqual({ error: 'bad_signature' });
    expect(received).toEqual([]);
  });

  it('rejects a delivery signed with another secret with 400 bad_signature', async () => {
    const { post, received } = await startReceiver([newSecret()]);

    const res = await post(signed(newSecret(), interviewEvent('int_a', 1)));

    expect(res.status, shown(res)).toBe(400);
    expect(res.body).toEqual({ error: 'bad_signature' });
    expect(received).toEqual([]);
  });

  it('rejects a delivery signed 10 minutes ago (a replay) with 400 stale_timestamp', async () => {
    const secret = newSecret();
    const { post, received } = await startReceiver([secret]);

    const res = await post(
      signed(secret, interviewEvent('int_a', 1), { at: new Date(Date.now() - minutes(10)) }),
    );

    expect(res.status, shown(res)).toBe(400);
    expect(res.body).toEqual({ error: 'stale_timestamp' });
    expect(received).toEqual([]);
  });

  it('rejects a delivery signed 10 minutes in the future with 400 stale_timestamp', async () => {
    const secret = newSecret();
    const { post, received } = await startReceiver([secret]);

    const res = await post(
      signed(secret, interviewEvent('int_a', 1), { at: new Date(Date.now() + minutes(10)) }),
    );

    expect(res.status, shown(res)).toBe(400);
    expect(res.body).toEqual({ error: 'stale_timestamp' });
    expect(received).toEqual([]);
  });

  it('accepts a delivery signed 4 minutes ago, inside the tolerance', async () => {
    const secret = newSecret();
    const { post, received } = await startReceiver([secret]);

    const res = await post(
      signed(secret, interviewEvent('int_a', 1), { at: new Date(Date.now() - minutes(4)) }),
    );

    expect(res.status, shown(res)).toBe(200);
    expect(received).toHaveLength(1);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'rejects a delivery without %s with 400 missing_headers',
    async (header) => {
      const secret = newSecret();
      const { post, received } = await startReceiver([secret]);
      const delivery = signed(secret, interviewEvent('int_a', 1));
      delete delivery.headers[header];

      const res = await post(delivery);

      expect(res.status, shown(res)).toBe(400);
      expect(res.body).toEqual({ error: 'missing_headers' });
      expect(received).toEqual([]);
    },
  );

  it('rejects a webhook-timestamp that is not unix seconds with 400 missing_headers', async () => {
    const secret = newSecret();
    const { post, received } = await startReceiver([secret]);
    const delivery = signed(secret, interviewEvent('int_a', 1));
    delivery.headers['webhook-timestamp'] = new Date().toISOString();

    const res = await post(delivery);

    expect(res.status, shown(res)).toBe(400);
    expect(res.body).toEqual({ error: 'missing_headers' });
    expect(received).toEqual([]);
  });

  it('answers 200 to a repeated webhook-id without handling the event twice', async () => {
    const secret = newSecret();
    const { post, received } = await startReceiver([secret]);
    const event = interviewEvent('int_a', 1);

    const first = await post(signed(secret, event));
    // A retry is signed again, with a fresh timestamp, but carries the same webhook-id.
    const retry = await post(signed(secret, event, { at: new Date(Date.now() + 1000) }));

    expect(first.status, shown(first)).toBe(200);
    expect(retry.status, shown(retry)).toBe(200);
    expect(retry.body).toEqual({ received: true, duplicate: true });
    expect(received).toHaveLength(1);
  });

  it('handles a retry when the first attempt failed in the handler', async () => {
    const secret = newSecret();
    let calls = 0;
    const server = createReceiver({
      secrets: [secret],
      onEvent: () => {
        calls += 1;
        if (calls === 1) throw new Error('database unavailable');
      },
      log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const delivery = signed(secret, interviewEvent('int_a', 1));

    const first = await fetch(url, { method: 'POST', ...delivery });
    const retry = await fetch(url, { method: 'POST', ...delivery });

    expect(first.status, await first.text()).toBe(500);
    expect(retry.status, await retry.text()).toBe(200);
    expect(calls).toBe(2);
  });

  it('refuses a repeat that arrives while the first delivery is still being handled, so that a failure there is retried', async () => {
    const secret = newSecret();
    const delivery = signed(secret, interviewEvent('int_a', 1));
    // The first handling waits for the test's go-ahead, then fails: a database that went away mid-handling.
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      firstStarted = resolve;
    });
    let failFirst!: () => void;
    const firstMayFail = new Promise<void>((resolve) => {
      failFirst = resolve;
    });
    const handled: string[] = [];
    let calls = 0;
    const server = createReceiver({
      secrets: [secret],
      onEvent: async (event) => {
        calls += 1;
        if (calls === 1) {
          firstStarted();
          await firstMayFail;
          throw new Error('database unavailable');
        }
        handled.push(event.id);
      },
      log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const post = async () => {
      const res = await fetch(url, { method: 'POST', ...delivery });
      return { status: res.status, text: await res.text() };
    };

    const first = post();
    await started;
    const repeat = await post();
    failFirst();
    const firstAnswer = await first;
    const retry = await post();
    const again = await post();

    // Viva records a non-2xx as a failed attempt and tries again; a 200 here would have lost the event.
    expect(repeat.status, shown(repeat)).toBe(409);
    expect(JSON.parse(repeat.text)).toEqual({ error: 'in_progress' });
    expect(firstAnswer.status, shown(firstAnswer)).toBe(500);
    expect(retry.status, shown(retry)).toBe(200);
    expect(JSON.parse(retry.text)).toEqual({ received: true });
    expect(again.status, shown(again)).toBe(200);
    expect(JSON.parse(again.text)).toEqual({ received: true, duplicate: true });
    expect(handled).toEqual([JSON.parse(delivery.body).id]);
  });

  it('accepts signatures made with either secret while they are rotated', async () => {
    const oldSecret = newSecret();
    const newerSecret = newSecret();
    const { post, received } = await startReceiver([oldSecret, newerSecret]);

    const withOld = await post(signed(oldSecret, interviewEvent('int_a', 1)));
    const withNew = await post(signed(newerSecret, interviewEvent('int_a', 2)));
    const withNeither = await post(signed(newSecret(), interviewEvent('int_a', 3)));

    expect(withOld.status, shown(withOld)).toBe(200);
    expect(withNew.status, shown(withNew)).toBe(200);
    expect(withNeither.status, shown(withNeither)).toBe(400);
    expect(received.map(({ event }) => event.sequence)).toEqual([1, 2]);
  });

  it('accepts a header carrying several signatures when any one matches, as Viva sends during a rotation', async () => {
    const secret = newSecret();
    const { post, received } = await startReceiver([secret]);
    const delivery = signed(secret, interviewEvent('int_a', 1));
    const other = signed(newSecret(), interviewEvent('int_a', 1), { msgId: delivery.headers['webhook-id'] });
    delivery.headers['webhook-signature'] =
      `${other.headers['webhook-signature']} v2,ignored ${delivery.headers['webhook-signature']}`;

    const res = await post(delivery);

    expect(res.status, shown(res)).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('warns about an event older than one already handled for its interview, and flags it', async () => {
    const secret = newSecret();
    const { post, received, log } = await startReceiver([secret]);
    const started = interviewEvent('int_a', 2, 'interview.started');
    const completed = interviewEvent('int_a', 3, 'interview.completed');
    const otherInterview = interviewEvent('int_b', 1, 'interview.scheduled');

    for (const event of [completed, otherInterview, started]) {
      const res = await post(signed(secret, event));
      expect(res.status, shown(res)).toBe(200);
    }

    expect(received.map(({ event, context }) => [event.id, context.outOfOrder])).toEqual([
      [completed.id, false],
      [otherInterview.id, false],
      [started.id, true],
    ]);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledWith(
      `${started.id} is sequence 2 of int_a, but sequence 3 was already handled`,
    );
  });
});
