import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../src/webhooks/claim-deliveries.ts';
import { fanOutEvents } from '../../src/webhooks/fan-out.ts';
import { SuccessBatch } from '../../src/webhooks/record-successes.ts';
import type { WebhookAttempt } from '../../src/webhooks/send-webhook.ts';
import { type ApiClient, apiClient, createTestTenant, type TestTenant } from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

/** Successes are written in batches, each row still only while this worker's claim on it stands. */

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  // No worker of its own: the test claims and records by hand.
  test = await startTestPlatform({
    VIVA_WEBHOOK_WORKER: 'false',
    VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

const ok: WebhookAttempt = {
  outcome: 'succeeded',
  statusCode: 204,
  latencyMs: 12.4,
  error: null,
  responseSnippet: '',
  retryAfterSeconds: null,
  gone: false,
};

describe('SuccessBatch', () => {
  it('writes a batch in one go, and reports a delivery whose claim moved on as stale', async () => {
    const endpoint = await api.call<{ id: string }>('POST', '/v1/webhook_endpoints', {
      key: tenant.testKey,
      body: { url: 'http://127.0.0.1:9/hooks', enabled_events: ['interview.scheduled'] },
    });
    const orm = test.platform.services.db.orm;
    for (let i = 0; i < 3; i++) await createInterview(api, tenant.testKey);
    await fanOutEvents(orm.em.fork());
    const claimed = (
      await claimDeliveries(orm.em.fork(), 10, 30, { max: 10, slowEndpoints: new Map(), inFlight: new Map() })
    ).filter((d) => d.endpoint.id === endpoint.body.id);
    expect(claimed).toHaveLength(3);
    const [first, second, lapsed] = claimed as [
      (typeof claimed)[0],
      (typeof claimed)[0],
      (typeof claimed)[0],
    ];
    // Another worker took this one over after our claim lapsed: its record must stand.
    await orm.em
      .getConnection()
      .execute(`update webhook_deliveries set locked_until = now() + interval '1 hour' where id = ?`, [
        lapsed.id,
      ]);
    await orm.em
      .getConnection()
      .execute(`update webhook_endpoints set failing_since = now() - interval '1 day' where id = ?`, [
        endpoint.body.id,
      ]);

    const batch = new SuccessBatch(orm, { maxWaitMs: 20 });
    const outcomes = await Promise.all([first, second, lapsed].map((d) => batch.record(d, ok)));
    expect(outcomes).toEqual(['succeeded', 'succeeded', 'stale']);

    const rows = await orm.em.getConnection().execute<
      {
        id: string;
        status: string;
        attempts: number;
        last_status_code: number | null;
        locked_until: Date | null;
      }[]
    >(
      'select id, status, attempts, last_status_code, locked_until from webhook_deliveries where endpoint_id = ?',
      [endpoint.body.id],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const done of [first, second]) {
      expect(byId.get(done.id)).toMatchObject({
        status: 'succeeded',
        attempts: 1,
        last_status_code: 204,
        locked_until: null,
      });
    }
    expect(byId.get(lapsed.id)).toMatchObject({ status: 'pending', attempts: 0, last_status_code: null });
    const [streak] = await orm.em
      .getConnection()
      .execute<{ failing_since: Date | null }[]>('select failing_since from webhook_endpoints where id = ?', [
        endpoint.body.id,
      ]);
    expect(streak?.failing_since).toBeNull();
  });
});
