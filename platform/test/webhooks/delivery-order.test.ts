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
import { sql, withDatabase } from '../support/interview-flow.ts';

/**
 * An interview's events reach an endpoint in `sequence` order, however many workers fan out and claim at
 * once: a delivery waits while an earlier event of its interview is still pending for the endpoint, or not
 * yet fanned out at all.
 */

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  // No worker of its own: the test plays the workers.
  test = await startTestPlatform({
    VIVA_WEBHOOK_WORKER: 'false',
    VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

describe('webhook delivery order', () => {
  it('sends no later event of an interview while another worker is still fanning out an earlier one', async () => {
    const endpoint = await api.call<{ id: string }>('POST', '/v1/webhook_endpoints', {
      key: tenant.testKey,
      body: { url: 'http://127.0.0.1:9/hooks', enabled_events: ['*'] },
    });
    expect(endpoint.status, describeResponse(endpoint)).toBe(201);
    const orm = test.platform.services.db.orm;
    const { interviewId } = await createInterview(api, tenant.testKey);
    const [scheduled] = await sql<{ id: string }>(
      test.databaseUrl!,
      `select id from events where interview_id = $1 and type = 'interview.scheduled'`,
      [interviewId],
    );
    const sequences = async () =>
      (
        await claimDeliveries(orm.em.fork(), 10, 30, {
          max: 10,
          slowEndpoints: new Map(),
          inFlight: new Map(),
        })
      )
        .filter((d) => d.endpoint.id === endpoint.body.id)
        .map((d) => d.event.sequence);

    await withDatabase(test.databaseUrl!, async (otherWorker) => {
      // Another worker's fan-out has taken the first event and not committed yet.
      await otherWorker.query('begin');
      await otherWorker.query('select id from events where id = $1 for update', [scheduled!.id]);
      const canceled = await api.call('POST', `/v1/interviews/${interviewId}/cancel`, {
        key: tenant.testKey,
      });
      expect(canceled.status, describeResponse(canceled)).toBe(200);
      // This worker fans out the second event (it skips the locked one) and must not send it yet.
      expect(await fanOutEvents(orm.em.fork())).toBeGreaterThanOrEqual(1);
      expect(await sequences()).toEqual([]);
      await otherWorker.query('rollback');
    });

    await fanOutEvents(orm.em.fork());
    expect(await sequences()).toEqual([1]);
    // The second waits for the first to be delivered (or given up).
    expect(await sequences()).toEqual([]);
  });
});
