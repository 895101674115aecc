import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../src/webhooks/claim-deliveries.ts';
import { fanOutEvents } from '../../src/webhooks/fan-out.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * One tenant's slow endpoints get at most a share of a worker's slots, all of them together, so a tenant whose
 * endpoints never answer, with a backlog queued, cannot hold up every other tenant's webhooks until its
 * attempts time out one by one.
 */

async function endpoint(api: ApiClient, tenant: TestTenant, url: string): Promise<string> {
  const res = await api.call<{ id: string }>('POST', '/v1/webhook_endpoints', {
    key: tenant.testKey,
    body: { url, enabled_events: ['interview.scheduled'] },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body.id;
}

describe('claiming deliveries', () => {
  let test: TestPlatform;
  let api: ApiClient;

  beforeAll(async () => {
    // No worker of its own: the test plays the worker, and says what it has in flight.
    test = await startTestPlatform({ VIVA_WEBHOOK_WORKER: 'false' });
    api = apiClient(test.url);
  });
  afterAll(async () => test?.stop());

  it('takes no more of a tenant’s slow endpoints, together, than what is left of its share; its fast one and other tenants’ go on', async () => {
    const [busy, quiet] = [await createTestTenant(api, 'Busy ATS'), await createTestTenant(api, 'Quiet ATS')];
    const slowOne = await endpoint(api, busy, 'https://slow-one.example.com/hooks');
    const slowTwo = await endpoint(api, busy, 'https://slow-two.example.com/hooks');
    const fast = await endpoint(api, busy, 'https://fast.example.com/hooks');
    const quietEndpoint = await endpoint(api, quiet, 'https://quiet.example.com/hooks');
    for (let i = 0; i < 3; i++) await createInterview(api, busy.testKey);
    await createInterview(api, quiet.testKey);
    const orm = test.platform.services.db.orm;
    await fanOutEvents(orm.em.fork());
    const slowEndpoints = new Map([
      [slowOne, busy.id],
      [slowTwo, busy.id],
    ]);
    /** How many deliveries of each endpoint a claim took, with `busyInFlight` attempts to the slow ones. */
    const claim = async (busyInFlight: number, slow = slowEndpoints) => {
      const claimed = await claimDeliveries(orm.em.fork(), 20, 30, {
        max: 2,
        slowEndpoints: slow,
        inFlight: new Map([[busy.id, busyInFlight]]),
      });
      const count = (id: string) => claimed.filter((d) => d.endpoint.id === id).length;
      return { slow: count(slowOne) + count(slowTwo), fast: count(fast), quiet: count(quietEndpoint) };
    };

    // One attempt in flight to the busy tenant's slow endpoints: one more of their six, whichever endpoint
    // it is for; its fast endpoint's three and the quiet tenant's one are not held back.
    expect(await claim(1)).toEqual({ slow: 1, fast: 3, quiet: 1 });
    // At its share: none of the five left, however many slow endpoints they are spread over.
    expect(await claim(2)).toEqual({ slow: 0, fast: 0, quiet: 0 });
    // With nothing in flight, up to its share at once.
    expect(await claim(0)).toEqual({ slow: 2, fast: 0, quiet: 0 });
    // Once they are no longer slow, the rest at once.
    expect(await claim(0, new Map())).toEqual({ slow: 3, fast: 0, quiet: 0 });
  });

  it('holds only the endpoints it is given to their tenant’s share: a fast one takes a burst at once', async () => {
    const tenant = await createTestTenant(api, 'Fast ATS');
    await endpoint(api, tenant, 'https://fast.example.com/hooks');
    const interviews: string[] = [];
    for (let i = 0; i < 3; i++) interviews.push((await createInterview(api, tenant.testKey)).interviewId);
    const orm = test.platform.services.db.orm;
    await fanOutEvents(orm.em.fork());
    const claimed = await claimDeliveries(orm.em.fork(), 10, 30, {
      max: 2,
      slowEndpoints: new Map(),
      inFlight: new Map(),
    });
    expect(claimed.map((d) => d.event.interviewId).sort()).toEqual([...interviews].sort());
  });
});

describe('delivering for several tenants, one of which has several endpoints that never answer', () => {
  let test: TestPlatform;
  let api: ApiClient;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // Four slots, so one tenant's share is one; attempts time out after 2 s.
    test = await startTestPlatform({
      VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      VIVA_WEBHOOK_CONCURRENCY: '4',
      VIVA_WEBHOOK_TIMEOUT_SECONDS: '2',
    });
    api = apiClient(test.url);
  });
  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await test?.stop();
  });

  it('delivers another tenant’s event before the hanging endpoints’ backlog has drained', async () => {
    const [stuck, other] = [
      await createTestTenant(api, 'Stuck ATS'),
      await createTestTenant(api, 'Other ATS'),
    ];
    const hanging = await startWebhookReceiver();
    const healthy = await startWebhookReceiver();
    receivers.push(hanging, healthy);
    hanging.respondWith(...Array.from({ length: 100 }, () => () => undefined));
    let hangingReceivedBefore = -1;
    healthy.respondWith((_req, res) => {
      hangingReceivedBefore = hanging.received.length;
      res.writeHead(200).end('ok');
    });
    // As many hanging endpoints as the worker has slots: held to a share each, they would fill them all.
    for (const path of ['a', 'b', 'c', 'd']) await endpoint(api, stuck, `${hanging.url}/${path}`);
    await endpoint(api, other, healthy.url);

    // Twelve deliveries queued for the hanging endpoints, all due before the other tenant's one.
    const interviews = 3;
    const backlog = interviews * 4;
    for (let i = 0; i < interviews; i++) await createInterview(api, stuck.testKey);
    const { interviewId } = await createInterview(api, other.testKey);

    const [delivered] = await healthy.waitFor(1, () => true, 20_000);
    expect(delivered!.payload.interview_id).toBe(interviewId);
    // Taken strictly by due time, or with a share per endpoint, it would have waited for all twelve first
    // attempts, four at a time.
    expect(
      hangingReceivedBefore,
      `the hanging endpoints had received ${hangingReceivedBefore} of their ${backlog} deliveries`,
    ).toBeLessThan(backlog);
  });
});
