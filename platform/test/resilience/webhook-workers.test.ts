import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type ChildWorker, startChildWorker } from '../support/child-worker.ts';
import { createCandidate, createJob } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { sql, until } from '../support/interview-flow.ts';
import { ok, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Delivery workers as real processes (`viva worker`) beside an API process that delivers nothing itself:
 * one SIGKILLed in the middle of its attempts and started again, and two running at once.
 */

const timeoutSeconds = 1;
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let databaseUrl: string;
let receiver: WebhookReceiver;
let endpointId = '';
const workers: ChildWorker[] = [];

beforeAll(async () => {
  test = await startTestPlatform({
    VIVA_WEBHOOK_WORKER: 'false',
    VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
  databaseUrl = test.databaseUrl!;
});
afterAll(async () => test?.stop());
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.kill();
  await receiver?.close();
  // Its deliveries stay out of the next test's receiver, whatever port that one gets.
  await api.call('DELETE', `/v1/webhook_endpoints/${endpointId}`, { key: tenant.testKey });
});

async function worker(env: Record<string, string> = {}): Promise<ChildWorker> {
  const started = await startChildWorker({
    DATABASE_URL: databaseUrl,
    VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    VIVA_WEBHOOK_TIMEOUT_SECONDS: String(timeoutSeconds),
    ...env,
  });
  workers.push(started);
  return started;
}

/** A fresh endpoint (so earlier tests' events stay out of it) and `count` interviews' worth of events. */
async function scheduleInterviews(count: number): Promise<string[]> {
  const res = await api.call<{ id: string }>('POST', '/v1/webhook_endpoints', {
    key: tenant.testKey,
    body: { url: receiver.url, enabled_events: ['interview.scheduled'] },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  endpointId = res.body.id;
  const jobId = await createJob(api, tenant.testKey);
  const candidateId = await createCandidate(api, tenant.testKey);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await api.call<{ id: string }>('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: { job_id: jobId, candidate_id: candidateId },
    });
    ids.push(created.body.id);
  }
  const events = await sql<{ id: string }>(
    databaseUrl,
    `select id from events where type = 'interview.scheduled' and interview_id = any($1)`,
    [ids],
  );
  return events.map((e) => e.id);
}

const deliveredIds = () => receiver.received.map((w) => w.headers['webhook-id']!);

describe('delivery workers', () => {
  it('lose nothing when one is killed in the middle of its attempts and another takes over', async () => {
    receiver = await startWebhookReceiver();
    // The first few requests hang: those attempts are in flight when the worker dies.
    const hang = () => undefined;
    receiver.respondWith(hang, hang, hang);
    const eventIds = await scheduleInterviews(40);
    const first = await worker();
    await receiver.waitFor(3);
    await first.kill();
    const inFlight = await sql<{ n: number }>(
      databaseUrl,
      `select count(*)::int as n from webhook_deliveries where status = 'pending' and locked_until > now()`,
    );
    expect(inFlight[0]!.n, 'claims the dead worker still holds').toBeGreaterThan(0);

    await worker();
    await until(
      'every delivery succeeded',
      async () =>
        (
          await sql<{ n: number }>(
            databaseUrl,
            `select count(*)::int as n from webhook_deliveries where endpoint_id = $1 and status <> 'succeeded'`,
            [endpointId],
          )
        )[0]!.n === 0,
      60_000,
    );
    expect(new Set(deliveredIds())).toEqual(new Set(eventIds));
    // At least once: the hung attempts were sent again, after the dead worker's claims lapsed.
    expect(deliveredIds().length).toBeGreaterThanOrEqual(eventIds.length);
  });

  it('send each event once when two run at once', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith(ok);
    await Promise.all([worker(), worker()]);
    const eventIds = await scheduleInterviews(150);
    await receiver.waitFor(eventIds.length, () => true, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveredIds().sort()).toEqual([...eventIds].sort());
    const byWorker = await sql<{ n: number }>(
      databaseUrl,
      `select count(*)::int as n from webhook_deliveries where event_id = any($1) and status = 'succeeded' and attempts = 1`,
      [eventIds],
    );
    expect(byWorker[0]!.n).toBe(eventIds.length);
  });

  it('serve their metrics and a liveness probe with VIVA_WORKER_METRICS_PORT', async () => {
    receiver = await startWebhookReceiver();
    const started = await worker({ VIVA_WORKER_METRICS_PORT: '0' });
    const metricsUrl = started.started.metrics_url;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const eventIds = await scheduleInterviews(3);
    await receiver.waitFor(eventIds.length);
    const succeeded = async () => {
      const text = await (await fetch(String(metricsUrl))).text();
      return Number(/^viva_webhook_attempts_total\{outcome="succeeded"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    await until('the worker counts its attempts', async () => (await succeeded()) >= eventIds.length);
    const metrics = await fetch(String(metricsUrl));
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/^viva_database_pool_connections\{state="idle"\} \d+$/m);
    expect(text).toMatch(/^viva_webhook_attempt_duration_seconds_count \d+$/m);
    expect(text).toContain('viva_process_cpu_seconds_total');

    const base = String(metricsUrl).replace(/\/metrics$/, '');
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    expect((await fetch(`${base}/v1/jobs`)).status).toBe(404);
    const post = await fetch(String(metricsUrl), { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('do not start when VIVA_WORKER_METRICS_PORT is taken, and say so', async () => {
    receiver = await startWebhookReceiver();
    const taken = await worker({ VIVA_WORKER_METRICS_PORT: '0' });
    const port = new URL(String(taken.started.metrics_url)).port;
    await expect(worker({ VIVA_WORKER_METRICS_PORT: port })).rejects.toThrow(
      new RegExp(
        `viva: Error: cannot serve metrics on 127\\.0\\.0\\.1:${port} \\(VIVA_WORKER_METRICS_PORT\\): listen EADDRINUSE`,
      ),
    );
  });
}, 120_000);
