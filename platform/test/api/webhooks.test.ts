import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver } from '../../../examples/webhook-receiver/src/server.ts';
import { loadSpec } from '../../src/openapi/spec.ts';
import { isForbiddenAddress } from '../../src/webhooks/address-policy.ts';
import { sweepDeliveryLog } from '../../src/webhooks/retention.ts';
import type { EndpointSecret } from '../../src/webhooks/webhook-endpoint.entity.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { logCapture, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { candidateTurnAt, postAnswer, threeQuestionJob } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  status,
  type WebhookReceiver,
} from '../support/webhook-receiver.ts';

/**
 * Webhooks end to end on one platform with its in-process delivery worker, to real HTTP receivers on
 * loopback (private networks allowed for them; the refusal is tested with the default below). Each test has
 * a tenant of its own: its endpoints, and their deliveries, stay out of the next test's way.
 */

interface Endpoint {
  id: string;
  secret: string;
  url: string;
  enabled: boolean;
  disabled_reason: string | null;
}
interface Delivery {
  id: string;
  status: string;
  failure_reason: string | null;
  attempts: number;
  event_id: string;
  next_attempt_at: string | null;
  last_attempt: {
    attempted_at: string;
    status_code: number | null;
    error: string | null;
    latency_ms: number;
    response_snippet: string | null;
  } | null;
}

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  test = await startTestPlatform({
    VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    VIVA_WEBHOOK_TIMEOUT_SECONDS: '1',
  });
  api = apiClient(test.url);
});
beforeEach(async () => {
  tenant = await createTestTenant(api);
});
afterAll(async () => {
  await test?.stop();
});
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

async function endpoint(key: string, url: string, enabledEvents: string[] = ['*']): Promise<Endpoint> {
  const res = await api.call<Endpoint>('POST', '/v1/webhook_endpoints', {
    key,
    body: { url, enabled_events: enabledEvents, description: 'test receiver' },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

async function deliveries(key: string, endpointId: string): Promise<Delivery[]> {
  const res = await api.call<{ data: Delivery[] }>('GET', `/v1/webhook_endpoints/${endpointId}/deliveries`, {
    key,
  });
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body.data;
}

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function verify(secret: string, webhook: ReceivedWebhook): unknown {
  return new Webhook(secret).verify(webhook.body, webhook.headers);
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** SQL on the platform's own database, on either backend, for setting up what only time would bring. */
function database() {
  return test.platform.services.db.orm.em.fork().getConnection();
}

async function storedSecrets(endpointId: string): Promise<EndpointSecret[]> {
  const [row] = await database().execute<{ secrets: EndpointSecret[] }[]>(
    'select secrets from webhook_endpoints where id = ?',
    [endpointId],
  );
  return row!.secrets;
}

/** As if the endpoint's secrets had been rotated `ms` earlier than they were. */
async function backdateRotation(endpointId: string, ms: number): Promise<void> {
  const secrets = (await storedSecrets(endpointId)).map((s) => ({
    ...s,
    expiresAt: s.expiresAt === null ? null : new Date(Date.parse(s.expiresAt) - ms).toISOString(),
  }));
  await database().execute('update webhook_endpoints set secrets = ?::jsonb where id = ?', [
    JSON.stringify(secrets),
    endpointId,
  ]);
}

describe('webhook endpoints', () => {
  it('shows the secret once, never in reads or lists, and manages the endpoint', async () => {
    const created = await endpoint(tenant.testKey, 'https://ats.example.com/hooks/viva', [
      'interview.completed',
    ]);
    expect(created).toMatchObject({
      object: 'webhook_endpoint',
      livemode: false,
      url: 'https://ats.example.com/hooks/viva',
      enabled_events: ['interview.completed'],
      enabled: true,
      disabled_reason: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const read = await api.call('GET', `/v1/webhook_endpoints/${created.id}`, { key: tenant.testKey });
    expect(read.body).not.toHaveProperty('secret');
    expect(read.text).not.toContain(created.secret);
    const list = await api.call('GET', '/v1/webhook_endpoints', { key: tenant.testKey });
    expect(list.text).toContain(created.id);
    expect(list.text).not.toContain(created.secret);

    const updated = await api.call('PATCH', `/v1/webhook_endpoints/${created.id}`, {
      key: tenant.testKey,
      body: { enabled_events: ['*'], enabled: false, metadata: { team: 'hr' } },
    });
    expect(updated.body).toMatchObject({
      enabled_events: ['*'],
      enabled: false,
      disabled_reason: 'manual',
      metadata: { team: 'hr' },
    });
    const again = await api.call('PATCH', `/v1/webhook_endpoints/${created.id}`, {
      key: tenant.testKey,
      body: { enabled: true },
    });
    expect(again.body).toMatchObject({ enabled: true, disabled_reason: null });

    const deleted = await api.call('DELETE', `/v1/webhook_endpoints/${created.id}`, { key: tenant.testKey });
    expect(deleted.body).toEqual({ id: created.id, object: 'webhook_endpoint', deleted: true });
    expect(
      (await api.call('GET', `/v1/webhook_endpoints/${created.id}`, { key: tenant.testKey })).status,
    ).toBe(404);
  });

  it('refuses bad endpoints with a clear 400 naming the field, and creates nothing', async () => {
    const cases: [unknown, string][] = [
      [{ url: 'http://ats.example.com/hooks', enabled_events: ['*'] }, 'url'],
      [{ url: 'https://user:pass@ats.example.com/hooks', enabled_events: ['*'] }, 'url'],
      [{ url: 'not a url', enabled_events: ['*'] }, 'url'],
      [{ url: 'https://ats.example.com/hooks', enabled_events: [] }, 'enabled_events'],
      [{ url: 'https://ats.example.com/hooks', enabled_events: ['interview.exploded'] }, 'enabled_events'],
      [{ url: 'https://ats.example.com/hooks' }, 'enabled_events'],
    ];
    for (const [body, param] of cases) {
      // Live mode: https only.
      const res = await api.call('POST', '/v1/webhook_endpoints', { key: tenant.liveKey, body });
      expect(res.status, `${JSON.stringify(body)}: ${describeResponse(res)}`).toBe(400);
      expect(res.body, JSON.stringify(body)).toMatchObject({ code: 'invalid_request' });
      expect(String(res.body.param ?? ''), JSON.stringify(body)).toContain(param);
    }
    const list = await api.call<{ data: unknown[] }>('GET', '/v1/webhook_endpoints', { key: tenant.liveKey });
    expect(list.body.data).toEqual([]);
  });

  it('names every value enabled_events may take, `*` included, in one message', async () => {
    const res = await api.call('POST', '/v1/webhook_endpoints', {
      key: tenant.testKey,
      body: { url: 'https://ats.example.com/hooks', enabled_events: ['interview.*'] },
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body, describeResponse(res)).toMatchObject({
      code: 'invalid_request',
      param: 'enabled_events.0',
      errors: [
        { pointer: '/body/enabled_events/0', detail: expect.stringMatching(/interview\.scheduled.*, \*$/) },
      ],
    });
    expect(res.body.detail, describeResponse(res)).not.toContain('more problem');
  });

  it('takes in enabled_events exactly the event types, and `*`', () => {
    // EnabledEvent lists the types again so that validation names them all at once: it must not drift.
    const schemas = loadSpec().components?.schemas as Record<string, { enum?: unknown[] }>;
    expect(schemas.EnabledEvent?.enum).toEqual([...(schemas.EventType?.enum ?? []), '*']);
  });

  it('allows 16 endpoints per mode: the 17th is refused until one is deleted', async () => {
    const create = (key: string) =>
      api.call<Endpoint>('POST', '/v1/webhook_endpoints', {
        key,
        body: { url: 'https://ats.example.com/hooks', enabled_events: ['*'] },
      });
    // Eighteen at once: the count and the insert are one step, so exactly sixteen get in.
    const attempts = await Promise.all(Array.from({ length: 18 }, () => create(tenant.testKey)));
    const created = attempts.filter((r) => r.status === 201);
    const refused = attempts.filter((r) => r.status !== 201);
    expect(created, attempts.map(describeResponse).join('\n')).toHaveLength(16);
    for (const res of refused) {
      expect(res.status, describeResponse(res)).toBe(400);
      expect(res.body, describeResponse(res)).toMatchObject({
        code: 'invalid_request',
        detail: expect.stringContaining('16 test mode webhook endpoints'),
      });
    }
    // The other mode has its own 16.
    expect((await create(tenant.liveKey)).status).toBe(201);
    const removed = await api.call('DELETE', `/v1/webhook_endpoints/${created[0]!.body.id}`, {
      key: tenant.testKey,
    });
    expect(removed.status, describeResponse(removed)).toBe(200);
    expect((await create(tenant.testKey)).status).toBe(201);
  });

  it('are another tenant’s and mode’s 404', async () => {
    const created = await endpoint(tenant.testKey, 'https://ats.example.com/hooks');
    const other = await createTestTenant(api, 'Other ATS');
    for (const key of [other.testKey, tenant.liveKey]) {
      expect((await api.call('GET', `/v1/webhook_endpoints/${created.id}`, { key })).status).toBe(404);
      expect((await api.call('GET', `/v1/webhook_endpoints/${created.id}/deliveries`, { key })).status).toBe(
        404,
      );
    }
  });
});

describe('delivery', () => {
  it('signs each event to the Standard Webhooks spec, and the event log holds the same event', async () => {
    const hooks = await receiver();
    const ep = await endpoint(tenant.testKey, hooks.url);
    const { interviewId } = await createInterview(api, tenant.testKey);
    const [webhook] = await hooks.waitFor(1, (w) => w.payload.interview_id === interviewId);
    expect(verify(ep.secret, webhook!)).toMatchObject({ type: 'interview.scheduled' });
    expect(webhook!.headers['webhook-id']).toBe(webhook!.payload.id);
    expect(webhook!.headers['content-type']).toContain('application/json');
    expect(webhook!.payload).toMatchObject({
      type: 'interview.scheduled',
      livemode: false,
      interview_id: interviewId,
      sequence: 1,
      data: { object: { id: interviewId, object: 'interview', status: 'scheduled' } },
    });

    const event = await api.call('GET', `/v1/events/${webhook!.payload.id}`, { key: tenant.testKey });
    expect(event.status, describeResponse(event)).toBe(200);
    expect(event.body).toMatchObject({
      object: 'event',
      type: 'interview.scheduled',
      sequence: 1,
      data: webhook!.payload.data,
    });
    const listed = await api.call<{ data: { id: string }[] }>(
      'GET',
      `/v1/events?type=interview.scheduled&interview_id=${interviewId}`,
      { key: tenant.testKey },
    );
    expect(listed.body.data.map((e) => e.id)).toEqual([webhook!.payload.id]);
    const log = await until(
      'the delivery to be recorded',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d.some((x) => x.event_id === webhook!.payload.id && x.status === 'succeeded'),
    );
    expect(log.find((d) => d.event_id === webhook!.payload.id)).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      last_attempt: { status_code: 200, error: null, response_snippet: 'ok' },
    });
  });

  it('is accepted by the example receiver (examples/webhook-receiver), which verifies it itself', async () => {
    const hooks = await receiver();
    const ep = await endpoint(tenant.testKey, hooks.url);
    const { interviewId } = await createInterview(api, tenant.testKey);
    const [webhook] = await hooks.waitFor(1, (w) => w.payload.interview_id === interviewId);
    const handled: string[] = [];
    const example = createReceiver({
      secrets: [ep.secret],
      onEvent: (event) => {
        handled.push(event.id);
      },
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    example.listen(0, '127.0.0.1');
    await once(example, 'listening');
    const { port } = example.address() as AddressInfo;
    try {
      // The platform's delivery, replayed byte for byte at the example.
      const replay = () =>
        fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          headers: webhook!.headers,
          body: webhook!.body,
        });
      expect((await replay()).status).toBe(200);
      expect((await replay()).status).toBe(200);
      expect(handled).toEqual([webhook!.payload.id]);
      const tampered = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: webhook!.headers,
        body: webhook!.body.replace('scheduled', 'completed'),
      });
      expect(tampered.status).toBe(400);
    } finally {
      example.close();
    }
  });

  it('delivers a whole interview’s events in sequence, filtered by the endpoint’s types', async () => {
    const hooks = await receiver();
    const all = await endpoint(tenant.testKey, hooks.url);
    const onlyCompleted = await receiver();
    await endpoint(tenant.testKey, onlyCompleted.url, ['interview.completed']);
    const session = await openSession(api, tenant.testKey, threeQuestionJob({ max_follow_ups: 0 }));
    const events = new SseClient(`${test.url}/v1/session/events`, session.token);
    expect((await api.call('POST', '/v1/session/start', { key: session.token })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      await events.next(candidateTurnAt(i));
      await postAnswer(api, session.token);
    }
    await events.next((e) => e.event === 'interview.completed');
    events.close();
    const mine = (w: ReceivedWebhook) => w.payload.interview_id === session.interviewId;
    const got = await hooks.waitFor(3, mine);
    expect(got.map((w) => [w.payload.type, w.payload.sequence])).toEqual([
      ['interview.scheduled', 1],
      ['interview.started', 2],
      ['interview.completed', 3],
    ]);
    for (const w of got) verify(all.secret, w);
    const [completed] = await onlyCompleted.waitFor(1, mine);
    expect(completed!.payload.type).toBe('interview.completed');
    expect(completed!.payload.data.object).toMatchObject({ status: 'completed' });
    expect(onlyCompleted.received.filter(mine)).toHaveLength(1);
  });

  it('never sends one tenant’s or mode’s events to another’s endpoint', async () => {
    const other = await createTestTenant(api, 'Other tenant');
    const theirs = await receiver();
    await endpoint(other.testKey, theirs.url);
    const mine = await receiver();
    await endpoint(tenant.testKey, mine.url);
    const live = await createInterview(api, tenant.liveKey);
    const { interviewId } = await createInterview(api, tenant.testKey);
    await mine.waitFor(1, (w) => w.payload.interview_id === interviewId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mine.received.map((w) => w.payload.interview_id)).not.toContain(live.interviewId);
    expect(theirs.received).toEqual([]);
  });

  it('retries a failed attempt on schedule, recording each attempt', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(500, {}, 'database down'));
    const ep = await endpoint(tenant.testKey, hooks.url);
    await createInterview(api, tenant.testKey);
    const [first] = await hooks.waitFor(1);
    const failed = await until(
      'the failed attempt to be recorded',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.attempts === 1,
    );
    expect(failed[0]).toMatchObject({
      status: 'pending',
      failure_reason: null,
      attempts: 1,
      last_attempt: { status_code: 500, error: null, response_snippet: 'database down' },
    });
    // Svix's first retry: 5 s, ±20 %.
    const due = Date.parse(failed[0]!.next_attempt_at!) - first!.receivedAt;
    expect(due).toBeGreaterThanOrEqual(3_900);
    expect(due).toBeLessThanOrEqual(6_100);
    const [, second] = await hooks.waitFor(2, () => true, 10_000);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    await until(
      'the retry to be recorded',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.status === 'succeeded',
    );
    expect((await deliveries(tenant.testKey, ep.id))[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('fails a delivery after its 8th failed attempt, records it in the log, and makes no 9th', async () => {
    const hooks = await receiver();
    hooks.respondWith(...Array.from({ length: 20 }, () => status(500, {}, 'still down')));
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    const { interviewId } = await createInterview(api, tenant.testKey);
    // Svix's waits before attempts 2 to 8, ±20 %: 27.6 hours in all, each skipped by making the attempt
    // due as soon as the worker has recorded the wait.
    const waitsMs = [5_000, 5 * 60_000, 30 * 60_000, 2 * hourMs, 5 * hourMs, 10 * hourMs, 10 * hourMs];
    let delivery: Delivery | undefined;
    for (let attempt = 1; attempt <= 8; attempt++) {
      [delivery] = await until(
        `attempt ${attempt} to be recorded`,
        () => deliveries(tenant.testKey, ep.id),
        (d) => d[0]?.attempts === attempt,
      );
      if (attempt === 8) break;
      expect(delivery, JSON.stringify(delivery)).toMatchObject({
        status: 'pending',
        last_attempt: { status_code: 500 },
      });
      const waitMs =
        Date.parse(delivery!.next_attempt_at!) - Date.parse(delivery!.last_attempt!.attempted_at);
      const context = `wait before attempt ${attempt + 1}: ${JSON.stringify(delivery)}`;
      expect(waitMs, context).toBeGreaterThanOrEqual(waitsMs[attempt - 1]! * 0.8 - 1);
      expect(waitMs, context).toBeLessThanOrEqual(waitsMs[attempt - 1]! * 1.2 + 1);
      await database().execute(
        `update webhook_deliveries set next_attempt_at = now() where id = ? and status = 'pending'`,
        [delivery!.id],
      );
    }
    expect(delivery, JSON.stringify(delivery)).toMatchObject({
      status: 'failed',
      failure_reason: 'attempts_exhausted',
      attempts: 8,
      next_attempt_at: null,
      last_attempt: { status_code: 500, error: null, response_snippet: 'still down' },
    });
    const failed = await api.call<{ data: Delivery[] }>(
      'GET',
      `/v1/webhook_endpoints/${ep.id}/deliveries?status=failed`,
      { key: tenant.testKey },
    );
    expect(
      failed.body.data.map((d) => d.id),
      describeResponse(failed),
    ).toEqual([delivery!.id]);

    // Several worker cycles later: still 8 attempts, all of the same message, and the endpoint (failing
    // for seconds, not 5 days) still enabled.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const sent = hooks.received.filter((w) => w.payload.interview_id === interviewId);
    expect(sent).toHaveLength(8);
    expect(new Set(sent.map((w) => w.headers['webhook-id']))).toEqual(new Set([delivery!.event_id]));
    expect((await deliveries(tenant.testKey, ep.id))[0]).toMatchObject({ status: 'failed', attempts: 8 });
    const read = await api.call('GET', `/v1/webhook_endpoints/${ep.id}`, { key: tenant.testKey });
    expect(read.body, describeResponse(read)).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it('waits as long as a 429’s Retry-After asks, beyond the schedule’s 5 s', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(429, { 'retry-after': '7' }));
    const ep = await endpoint(tenant.testKey, hooks.url);
    await createInterview(api, tenant.testKey);
    const [first, second] = await hooks.waitFor(2, () => true, 15_000);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(7_000);
    await until(
      'success',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.status === 'succeeded',
    );
  });

  it('disables an endpoint that answers 410 Gone at once, and says so in an event', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(410));
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    const watcher = await receiver();
    await endpoint(tenant.testKey, watcher.url, ['webhook_endpoint.disabled']);
    await createInterview(api, tenant.testKey);
    await hooks.waitFor(1);
    const [disabled] = await watcher.waitFor(1, (w) => w.payload.type === 'webhook_endpoint.disabled');
    expect(disabled!.payload.data.object).toMatchObject({
      id: ep.id,
      enabled: false,
      disabled_reason: 'gone',
    });
    const read = await api.call('GET', `/v1/webhook_endpoints/${ep.id}`, { key: tenant.testKey });
    expect(read.body).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    expect((await deliveries(tenant.testKey, ep.id))[0]).toMatchObject({
      status: 'failed',
      failure_reason: 'endpoint_gone',
      attempts: 1,
      last_attempt: { status_code: 410, error: null },
    });
    // Nothing more goes to it, but what it misses is logged as failed, for a recovery.
    const missed = await createInterview(api, tenant.testKey);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks.received).toHaveLength(1);
    expect((await deliveries(tenant.testKey, ep.id))[0]).toMatchObject({
      status: 'failed',
      failure_reason: 'endpoint_disabled',
      attempts: 0,
      last_attempt: null,
    });

    // Retrying needs it enabled; once enabled, recover re-sends what failed.
    const retry = await api.call(
      'POST',
      `/v1/webhook_deliveries/${(await deliveries(tenant.testKey, ep.id))[0]!.id}/retry`,
      {
        key: tenant.testKey,
      },
    );
    expect(retry.status, describeResponse(retry)).toBe(409);
    await api.call('PATCH', `/v1/webhook_endpoints/${ep.id}`, {
      key: tenant.testKey,
      body: { enabled: true },
    });
    const recovered = await api.call('POST', `/v1/webhook_endpoints/${ep.id}/recover`, {
      key: tenant.testKey,
      body: { since: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(recovered.status, describeResponse(recovered)).toBe(202);
    expect(recovered.body).toMatchObject({ object: 'webhook_recovery', endpoint_id: ep.id, requeued: 2 });
    const resent = await hooks.waitFor(3);
    expect(resent.at(-1)!.payload.interview_id).toBe(missed.interviewId);
    const log = await until(
      'the recovered deliveries to succeed',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d.every((x) => x.status === 'succeeded'),
    );
    for (const d of log) expect(d, JSON.stringify(d)).toMatchObject({ failure_reason: null });
  });

  it('logs nothing for an endpoint its owner disabled', async () => {
    const ep = await endpoint(tenant.testKey, 'http://127.0.0.1:9/hooks', ['interview.scheduled']);
    await api.call('PATCH', `/v1/webhook_endpoints/${ep.id}`, {
      key: tenant.testKey,
      body: { enabled: false },
    });
    const { interviewId } = await createInterview(api, tenant.testKey);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [event] = await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute<{ dispatched_at: Date | null }[]>('select dispatched_at from events where interview_id = ?', [
        interviewId,
      ]);
    expect(event?.dispatched_at).not.toBeNull();
    expect(await deliveries(tenant.testKey, ep.id)).toEqual([]);
  });

  it('fails the pending deliveries of an endpoint its owner disables, leaving their last attempt as it was', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(500, {}, 'database down'));
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    await createInterview(api, tenant.testKey);
    await until(
      'the failed attempt to be recorded',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.attempts === 1,
    );
    const disabled = await api.call('PATCH', `/v1/webhook_endpoints/${ep.id}`, {
      key: tenant.testKey,
      body: { enabled: false },
    });
    expect(disabled.status, describeResponse(disabled)).toBe(200);
    const [delivery] = await deliveries(tenant.testKey, ep.id);
    expect(delivery, JSON.stringify(delivery)).toMatchObject({
      status: 'failed',
      failure_reason: 'endpoint_disabled',
      attempts: 1,
      next_attempt_at: null,
      last_attempt: { status_code: 500, error: null, response_snippet: 'database down' },
    });
  });

  it('fails an attempt that times out, is reset, or redirects — and never follows the redirect', async () => {
    const target = await receiver();
    const hooks = await receiver();
    hooks.respondWith(
      () => undefined, // never answers: the 1 s timeout of this platform
    );
    const ep = await endpoint(tenant.testKey, hooks.url);
    await createInterview(api, tenant.testKey);
    const timedOut = await until(
      'the timeout',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.attempts === 1,
    );
    expect(timedOut[0]!.last_attempt).toMatchObject({ status_code: null, error: 'timeout' });

    hooks.respondWith((req) => req.socket.destroy(), status(302, { location: target.url }));
    const reset = await api.call('POST', `/v1/webhook_deliveries/${timedOut[0]!.id}/retry`, {
      key: tenant.testKey,
    });
    expect(reset.status, describeResponse(reset)).toBe(202);
    const afterReset = await until(
      'the reset',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.last_attempt?.error !== 'timeout',
    );
    expect(afterReset[0]!.last_attempt).toMatchObject({ status_code: null, error: 'connection_reset' });

    await api.call('POST', `/v1/webhook_deliveries/${timedOut[0]!.id}/retry`, { key: tenant.testKey });
    const redirected = await until(
      'the redirect',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.last_attempt?.status_code === 302,
    );
    expect(redirected[0]!.last_attempt).toMatchObject({ error: 'redirect_not_followed' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.received).toEqual([]);
  });

  it('signs with the old and the new secret for 24 hours after a rotation, then with the new one alone', async () => {
    const hooks = await receiver();
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    const delivered = async () => {
      const { interviewId } = await createInterview(api, tenant.testKey);
      const [webhook] = await hooks.waitFor(1, (w) => w.payload.interview_id === interviewId);
      return webhook!;
    };
    const signatures = (webhook: ReceivedWebhook) => webhook.headers['webhook-signature']!.split(' ');

    const before = await delivered();
    expect(signatures(before)).toHaveLength(1);
    verify(ep.secret, before);

    const rotatedAt = Date.now();
    const rotated = await api.call<Endpoint>('POST', `/v1/webhook_endpoints/${ep.id}/rotate_secret`, {
      key: tenant.testKey,
    });
    const answeredAt = Date.now();
    expect(rotated.status, describeResponse(rotated)).toBe(200);
    const oldSecret = ep.secret;
    const newSecret = rotated.body.secret;
    expect(newSecret).not.toBe(oldSecret);
    const [current, previous] = await storedSecrets(ep.id);
    expect(current, JSON.stringify(current)).toEqual({ secret: newSecret, expiresAt: null });
    expect(previous?.secret).toBe(oldSecret);
    const overlapEnds = Date.parse(previous!.expiresAt!);
    expect(overlapEnds).toBeGreaterThanOrEqual(rotatedAt + dayMs);
    expect(overlapEnds).toBeLessThanOrEqual(answeredAt + dayMs);

    // Right after the rotation, and a minute before its 24 hours are up: one signature per secret, so a
    // receiver holding either accepts the message.
    const signedByBoth = async (when: string) => {
      const webhook = await delivered();
      const context = `${when}: ${webhook.headers['webhook-signature']}`;
      expect(signatures(webhook), context).toHaveLength(2);
      expect(verify(oldSecret, webhook), context).toMatchObject({ type: 'interview.scheduled' });
      expect(verify(newSecret, webhook), context).toMatchObject({ type: 'interview.scheduled' });
    };
    await signedByBoth('right after the rotation');
    await backdateRotation(ep.id, dayMs - 60_000);
    await signedByBoth('23 h 59 min after the rotation');

    // A minute past the 24 hours: the new secret alone.
    await backdateRotation(ep.id, 2 * 60_000);
    const after = await delivered();
    expect(signatures(after), after.headers['webhook-signature']).toHaveLength(1);
    expect(verify(newSecret, after)).toMatchObject({ type: 'interview.scheduled' });
    expect(() => verify(oldSecret, after)).toThrow(WebhookVerificationError);
  });

  it('keeps every secret still within its 24 hours, up to three, so a lost rotate response breaks nothing', async () => {
    const hooks = await receiver();
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    const rotate = async () => {
      const rotated = await api.call<Endpoint>('POST', `/v1/webhook_endpoints/${ep.id}/rotate_secret`, {
        key: tenant.testKey,
      });
      expect(rotated.status, describeResponse(rotated)).toBe(200);
      return rotated.body.secret;
    };
    const delivered = async () => {
      const { interviewId } = await createInterview(api, tenant.testKey);
      const [webhook] = await hooks.waitFor(1, (w) => w.payload.interview_id === interviewId);
      return webhook!;
    };
    const signatures = (webhook: ReceivedWebhook) => webhook.headers['webhook-signature']!.split(' ');

    // The response of the first rotation never reached the tenant, who rotates again: the secret it still
    // has deployed, the first one, keeps signing beside both new ones.
    const handedOut = [ep.secret, await rotate(), await rotate()];
    const afterTwo = await delivered();
    expect(signatures(afterTwo), afterTwo.headers['webhook-signature']).toHaveLength(3);
    for (const secret of handedOut) verify(secret, afterTwo);

    // However often it is rotated, three secrets sign at most, the newest three: the header stays bounded.
    for (let i = 0; i < 3; i++) handedOut.push(await rotate());
    const stored = await storedSecrets(ep.id);
    expect(
      stored.map((s) => s.secret),
      JSON.stringify(stored),
    ).toEqual(handedOut.slice(-3).reverse());
    expect(stored[0]!.expiresAt).toBeNull();
    for (const older of stored.slice(1)) {
      expect(Date.parse(older.expiresAt!)).toBeGreaterThan(Date.now() + dayMs - 60_000);
    }
    const afterFive = await delivered();
    expect(signatures(afterFive), afterFive.headers['webhook-signature']).toHaveLength(3);
    for (const secret of handedOut.slice(-3)) verify(secret, afterFive);
    expect(() => verify(handedOut[2]!, afterFive)).toThrow(WebhookVerificationError);
  });

  it('drops, at the next rotation, a secret whose 24 hours are over', async () => {
    const ep = await endpoint(tenant.testKey, 'https://ats.example.com/hooks');
    const rotate = () =>
      api.call<Endpoint>('POST', `/v1/webhook_endpoints/${ep.id}/rotate_secret`, { key: tenant.testKey });
    const second = (await rotate()).body.secret;
    await backdateRotation(ep.id, dayMs + 60_000);
    const third = (await rotate()).body.secret;
    const stored = await storedSecrets(ep.id);
    expect(
      stored.map((s) => s.secret),
      JSON.stringify(stored),
    ).toEqual([third, second]);
  });

  it('keeps the secrets of the last three rotations when rotations race', async () => {
    const ep = await endpoint(tenant.testKey, 'https://ats.example.com/hooks');
    const rotations = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.call<Endpoint>('POST', `/v1/webhook_endpoints/${ep.id}/rotate_secret`, { key: tenant.testKey }),
      ),
    );
    expect(rotations.map((r) => r.status)).toEqual(Array(5).fill(200));
    const handedOut = rotations.map((r) => r.body.secret);
    expect(new Set(handedOut).size).toBe(5);
    const stored = await storedSecrets(ep.id);
    // The rotations ran one after another (the row is locked), so the older secrets kept are ones other
    // rotations handed out, not the endpoint's first: unlocked, they would all have started from that one.
    expect(stored, JSON.stringify(stored)).toHaveLength(3);
    for (const kept of stored) expect(handedOut, JSON.stringify(stored)).toContain(kept.secret);
  });

  it('refuses to retry a delivery while an attempt of it is in flight (409), and sends it no second time', async () => {
    const hooks = await receiver();
    hooks.respondWith(() => undefined); // never answers: the attempt stays in flight
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    await createInterview(api, tenant.testKey);
    await hooks.waitFor(1);
    const [delivery] = await deliveries(tenant.testKey, ep.id);
    const claim = async () =>
      (
        await database().execute<{ locked_until: Date | null; attempts: number }[]>(
          'select locked_until, attempts from webhook_deliveries where id = ?',
          [delivery!.id],
        )
      )[0];
    const before = await claim();
    expect(before?.locked_until).not.toBeNull();
    const retried = await api.call('POST', `/v1/webhook_deliveries/${delivery!.id}/retry`, {
      key: tenant.testKey,
    });
    expect(retried.status, describeResponse(retried)).toBe(409);
    expect(retried.body, describeResponse(retried)).toMatchObject({
      code: 'invalid_state',
      detail: expect.stringContaining('in flight'),
    });
    expect(await claim()).toEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks.received).toHaveLength(1);
  });

  it('re-sends a delivered event on demand with the same webhook-id', async () => {
    const hooks = await receiver();
    const ep = await endpoint(tenant.testKey, hooks.url);
    await createInterview(api, tenant.testKey);
    const [first] = await hooks.waitFor(1);
    const [delivery] = await until(
      'success',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d[0]?.status === 'succeeded',
    );
    const retried = await api.call('POST', `/v1/webhook_deliveries/${delivery!.id}/retry`, {
      key: tenant.testKey,
    });
    expect(retried.status, describeResponse(retried)).toBe(202);
    const [, again] = await hooks.waitFor(2);
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(
      (
        await api.call('POST', '/v1/webhook_deliveries/dlv_06h0b7k2c0000m2w8e4r6t1y3v/retry', {
          key: tenant.testKey,
        })
      ).status,
    ).toBe(404);
  });

  it('holds an interview’s later events while an earlier one is retried, and lets other interviews go on', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(503, { 'retry-after': '2' }));
    await endpoint(tenant.testKey, hooks.url);
    const first = await createInterview(api, tenant.testKey);
    await hooks.waitFor(1);
    await api.call('POST', `/v1/interviews/${first.interviewId}/cancel`, { key: tenant.testKey });
    const second = await createInterview(api, tenant.testKey);
    await hooks.waitFor(1, (w) => w.payload.interview_id === second.interviewId);
    const ofFirst = await hooks.waitFor(3, (w) => w.payload.interview_id === first.interviewId, 10_000);
    expect(ofFirst.map((w) => w.payload.sequence)).toEqual([1, 1, 2]);
    const secondArrived = hooks.received.findIndex((w) => w.payload.interview_id === second.interviewId);
    const canceledArrived = hooks.received.findIndex((w) => w.payload.type === 'interview.canceled');
    expect(secondArrived).toBeLessThan(canceledArrived);
  });

  it('disables an endpoint on which every attempt has failed for 5 days', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(500));
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    const watcher = await receiver();
    await endpoint(tenant.testKey, watcher.url, ['webhook_endpoint.disabled']);
    // Five days of failures, compressed: the endpoint has been failing since just over five days ago, the
    // last time an hour ago.
    await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute(
        `update webhook_endpoints set failing_since = now() - interval '5 days 1 minute',
                last_failure_at = now() - interval '1 hour' where id = ?`,
        [ep.id],
      );
    await createInterview(api, tenant.testKey);
    const [disabled] = await watcher.waitFor(1, (w) => w.payload.type === 'webhook_endpoint.disabled');
    expect(disabled!.payload.data.object).toMatchObject({
      id: ep.id,
      enabled: false,
      disabled_reason: 'failing',
    });
    // Its attempt is recorded as it went; the delivery failed because the endpoint was disabled.
    expect((await deliveries(tenant.testKey, ep.id))[0]).toMatchObject({
      status: 'failed',
      failure_reason: 'endpoint_disabled',
      attempts: 1,
      last_attempt: { status_code: 500, error: null },
    });
  });

  it('starts a new streak after a quiet spell, rather than disable an endpoint that failed twice days apart', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(500));
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    // It failed six days ago, and nothing was sent to it for the five days since.
    const connection = test.platform.services.db.orm.em.fork().getConnection();
    await connection.execute(
      `update webhook_endpoints set failing_since = now() - interval '6 days',
              last_failure_at = now() - interval '5 days' where id = ?`,
      [ep.id],
    );
    await createInterview(api, tenant.testKey);
    await hooks.waitFor(1);
    const streak = async () =>
      (
        await connection.execute<{ enabled: boolean; streak_seconds: number }[]>(
          `select enabled, extract(epoch from now() - failing_since)::int as streak_seconds
             from webhook_endpoints where id = ? and last_failure_at > now() - interval '1 minute'`,
          [ep.id],
        )
      )[0];
    await until('the failure to be recorded', streak, (row) => row !== undefined);
    expect(await streak()).toMatchObject({ enabled: true, streak_seconds: expect.any(Number) });
    expect((await streak())!.streak_seconds).toBeLessThan(60);
  });

  it('clears an endpoint’s failing streak on its next success', async () => {
    const hooks = await receiver();
    hooks.respondWith(status(500));
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    const failingSince = async () =>
      (
        await test.platform.services.db.orm.em
          .fork()
          .getConnection()
          .execute<{ failing_since: Date | null }[]>(
            'select failing_since from webhook_endpoints where id = ?',
            [ep.id],
          )
      )[0]!.failing_since;
    await createInterview(api, tenant.testKey);
    await until('the failure to be recorded', failingSince, (since) => since !== null);
    await until('the retry to succeed', failingSince, (since) => since === null, 15_000);
  });

  it('refuses recovery further back than 14 days', async () => {
    const ep = await endpoint(tenant.testKey, 'https://ats.example.com/hooks');
    const res = await api.call('POST', `/v1/webhook_endpoints/${ep.id}/recover`, {
      key: tenant.testKey,
      body: { since: new Date(Date.now() - 15 * 24 * 3600 * 1000).toISOString() },
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'since' });
  });
});

describe('delivery log retention', () => {
  it('keeps deliveries and their events for 90 days, and the sweep removes them after', async () => {
    const hooks = await receiver();
    const ep = await endpoint(tenant.testKey, hooks.url, ['interview.scheduled']);
    const ages = { kept: '89 days', lastHour: '89 days 23 hours', expired: '90 days 1 hour' };
    const eventIds: Record<keyof typeof ages, string> = { kept: '', lastHour: '', expired: '' };
    for (const name of Object.keys(ages) as (keyof typeof ages)[]) {
      const { interviewId } = await createInterview(api, tenant.testKey);
      const [webhook] = await hooks.waitFor(1, (w) => w.payload.interview_id === interviewId);
      eventIds[name] = webhook!.payload.id;
    }
    await until(
      'the deliveries to be recorded',
      () => deliveries(tenant.testKey, ep.id),
      (d) => d.filter((x) => x.status === 'succeeded').length === 3,
    );
    // Each event and its delivery as if they were that old.
    for (const [name, age] of Object.entries(ages) as [keyof typeof ages, string][]) {
      await database().execute(
        `update events set created_at = now() - ?::interval, dispatched_at = now() - ?::interval where id = ?`,
        [age, age, eventIds[name]],
      );
      await database().execute(
        `update webhook_deliveries
            set created_at = now() - ?::interval, updated_at = now() - ?::interval,
                last_attempt_at = now() - ?::interval
          where event_id = ?`,
        [age, age, age, eventIds[name]],
      );
    }

    expect(await sweepDeliveryLog(test.platform.services.db.orm.em.fork())).toBe(1);

    const log = await deliveries(tenant.testKey, ep.id);
    expect(log.map((d) => d.event_id).sort(), JSON.stringify(log)).toEqual(
      [eventIds.kept, eventIds.lastHour].sort(),
    );
    for (const [name, expected] of [
      ['kept', 200],
      ['lastHour', 200],
      ['expired', 404],
    ] as const) {
      const event = await api.call('GET', `/v1/events/${eventIds[name]}`, { key: tenant.testKey });
      expect(event.status, `${name}: ${describeResponse(event)}`).toBe(expected);
    }
    // A second sweep finds nothing more to remove.
    expect(await sweepDeliveryLog(test.platform.services.db.orm.em.fork())).toBe(0);
  });
});

describe('with private networks refused (the default with DATABASE_URL)', () => {
  let strict: TestPlatform;
  let strictApi: ApiClient;
  let key: string;
  const logs = logCapture();
  beforeAll(async () => {
    // The embedded default allows private networks (its receivers live on localhost): set it as a server has it.
    strict = await startTestPlatform(
      { VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', LOG_LEVEL: 'warn' },
      { logDestination: logs.sink },
    );
    strictApi = apiClient(strict.url);
    key = (await createTestTenant(strictApi)).testKey;
  });
  afterAll(async () => strict?.stop());

  it('refuses endpoints on loopback, private, link-local, CGNAT and unique-local addresses', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hooks',
      'http://localhost:8080/hooks',
      'http://[::1]/hooks',
      'http://[::ffff:10.0.0.1]/hooks',
      'http://10.1.2.3/hooks',
      'http://192.168.1.10/hooks',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/hooks',
      'http://[fd00::1]/hooks',
    ]) {
      const res = await strictApi.call('POST', '/v1/webhook_endpoints', {
        key,
        body: { url, enabled_events: ['*'] },
      });
      expect(res.status, `${url}: ${describeResponse(res)}`).toBe(400);
      expect(res.body, url).toMatchObject({ code: 'invalid_request', param: 'url' });
    }
  });

  it('does not tell the tenant what a refused name resolves to, and logs it for the operator', async (ctx) => {
    // This machine's own name: usually loopback or a private interface; skipped where it is public or unknown.
    const name = hostname();
    const addresses = (await lookup(name, { all: true }).catch(() => [])).map((a) => a.address);
    if (!addresses.some(isForbiddenAddress)) ctx.skip();
    const res = await strictApi.call('POST', '/v1/webhook_endpoints', {
      key,
      body: { url: `https://${name}/hooks`, enabled_events: ['*'] },
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body, describeResponse(res)).toMatchObject({
      code: 'invalid_request',
      param: 'url',
      detail: "The URL's host resolves to a non-public address; webhook URLs must be publicly reachable.",
    });
    for (const address of addresses) expect(res.text).not.toContain(address);
    const logged = logs.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.msg === 'webhook URL refused: its host resolves to a non-public address');
    expect(logged, logs.lines.join('\n')).toMatchObject({ host: name, address: expect.any(String) });
    expect(addresses).toContain(logged!.address);
  });
});
