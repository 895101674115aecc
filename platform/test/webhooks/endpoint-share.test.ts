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
 * One endpoint gets at most its share of a worker's slots, so an endpoint that never answers, with a
 * backlog queued, cannot hold up every other tenant's webhooks until its attempts time out one by one.
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

  it('takes no more of an endpoint than what is left of its share, earliest first, and other endpoints’ too', async () => {
    const [busy, quiet] = [await createTestTenant(api, 'Busy ATS'), await createTestTenant(api, 'Quiet ATS')];
    const busyEndpoint = await endpoint(api, busy, 'https://busy.example.com/hooks');
    const quietEndpoint = await endpoint(api, quiet, 'https://quiet.example.com/hooks');
    const busyInterviews: string[] = [];
    for (let i = 0; i < 3; i++) busyInterviews.push((await createInterview(api, busy.testKey)).interviewId);
    const quietInterview = (await createInterview(api, quiet.testKey)).interviewId;
    const orm = test.platform.services.db.orm;
    await fanOutEvents(orm.em.fork());
    const claim = async (inFlight: [string, number][]) =>
      (await claimDeliveries(orm.em.fork(), 10, 30, { max: 2, inFlight: new Map(inFlight) })).map(
        (d) => d.event.interviewId,
      );

    // The busy endpoint has one attempt in flight: one more of its three, the earliest; the quiet one's too.
    expect((await claim([[busyEndpoint, 1]])).sort()).toEqual([busyInterviews[0], quietInterview].sort());
    // At its share: none of its two left, however long it waits.
    expect(await claim([[busyEndpoint, 2]])).toEqual([]);
    // With nothing in flight, up to its share at once.
    expect(await claim([[quietEndpoint, 1]])).toEqual([busyInterviews[1], busyInterviews[2]]);
  });

  it('holds only the endpoints it is given to their share: a fast one takes a burst at once', async () => {
    const fast = await createTestTenant(api, 'Fast ATS');
    await endpoint(api, fast, 'https://fast.example.com/hooks');
    const interviews: string[] = [];
    for (let i = 0; i < 3; i++) interviews.push((await createInterview(api, fast.testKey)).interviewId);
    const orm = test.platform.services.db.orm;
    await fanOutEvents(orm.em.fork());
    const claimed = await claimDeliveries(orm.em.fork(), 10, 30, { max: 2, inFlight: new Map() });
    expect(claimed.map((d) => d.event.interviewId).sort()).toEqual([...interviews].sort());
  });
});

describe('delivering for several tenants, one of whose endpoints never answers', () => {
  let test: TestPlatform;
  let api: ApiClient;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // Four slots, so one endpoint's share is one; attempts time out after 2 s.
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

  it('delivers another tenant’s event before the hanging endpoint’s backlog has drained', async () => {
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
    await endpoint(api, stuck, hanging.url);
    await endpoint(api, other, healthy.url);

    // Twelve deliveries queued for the hanging endpoint, all due before the other tenant's one.
    const backlog = 12;
    for (let i = 0; i < backlog; i++) await createInterview(api, stuck.testKey);
    const { interviewId } = await createInterview(api, other.testKey);

    const [delivered] = await healthy.waitFor(1);
    expect(delivered!.payload.interview_id).toBe(interviewId);
    // Taken strictly by due time, it would have waited for all twelve first attempts, four at a time.
    expect(
      hangingReceivedBefore,
      `the hanging endpoint had received ${hangingReceivedBefore} of its ${backlog} deliveries`,
    ).toBeLessThan(backlog);
  });
});
