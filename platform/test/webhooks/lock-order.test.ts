import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClaimedDelivery, claimDeliveries } from '../../src/webhooks/claim-deliveries.ts';
import { fanOutEvents } from '../../src/webhooks/fan-out.ts';
import { recordFailedAttempt } from '../../src/webhooks/record-attempt.ts';
import { SuccessBatch } from '../../src/webhooks/record-successes.ts';
import type { WebhookAttempt } from '../../src/webhooks/send-webhook.ts';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { sql, until, withDatabase } from '../support/interview-flow.ts';

/**
 * Recording an attempt's outcome and disabling the endpoint at the same time, each in its own transaction on
 * a real PostgreSQL: neither deadlocks, because both lock the endpoint's row before its deliveries' rows.
 * Taken the other way round by the worker, the interleaving below was a deadlock, and PostgreSQL broke it by
 * failing one side: the tenant's PATCH answered 500.
 *
 * Each test holds the delivery's row in a connection of its own (as a claim in flight briefly does), lets
 * the worker's write and then the PATCH queue up behind it, and lets go.
 */

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  // No worker of its own: the test plays the worker.
  test = await startTestPlatform({ VIVA_WEBHOOK_WORKER: 'false' });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

const failed: WebhookAttempt = {
  outcome: 'failed',
  statusCode: 500,
  latencyMs: 5,
  error: null,
  responseSnippet: 'database down',
  retryAfterSeconds: null,
  gone: false,
};
const succeeded: WebhookAttempt = { ...failed, outcome: 'succeeded', statusCode: 200, responseSnippet: 'ok' };

/** A new endpoint with one delivery, claimed by the test as a worker would. */
async function claimedDelivery(): Promise<{ endpointId: string; claimed: ClaimedDelivery }> {
  const res = await api.call<{ id: string }>('POST', '/v1/webhook_endpoints', {
    key: tenant.testKey,
    body: { url: 'https://ats.example.com/hooks', enabled_events: ['interview.scheduled'] },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  await createInterview(api, tenant.testKey);
  const orm = test.platform.services.db.orm;
  await fanOutEvents(orm.em.fork());
  const claimed = await claimDeliveries(orm.em.fork(), 100, 30, {
    max: 100,
    slowEndpoints: new Map(),
    inFlight: new Map(),
  });
  const ours = claimed.find((d) => d.endpoint.id === res.body.id);
  expect(ours, 'the delivery is claimed').toBeDefined();
  return { endpointId: res.body.id, claimed: ours! };
}

/** Waits until `count` statements of the test's database are waiting for a row lock. */
async function lockWaits(what: string, count: number): Promise<void> {
  await until(what, async () => {
    const [waiting] = await sql<{ n: number }>(
      test.databaseUrl!,
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return waiting!.n >= count;
  });
}

/** Settles `work` as a value either way, so that a failure shows in the assertion that reads it. */
function outcome<T>(work: Promise<T>): Promise<T | string> {
  return work.catch((err: unknown) => `rejected: ${err instanceof Error ? err.message : String(err)}`);
}

const disable = (endpointId: string): Promise<ApiResponse> =>
  api.call('PATCH', `/v1/webhook_endpoints/${endpointId}`, { key: tenant.testKey, body: { enabled: false } });

async function deliveryRow(id: string) {
  const [row] = await sql<{
    status: string;
    failure_reason: string | null;
    last_status_code: number | null;
    last_error: string | null;
  }>(
    test.databaseUrl!,
    'select status, failure_reason, last_status_code, last_error from webhook_deliveries where id = $1',
    [id],
  );
  return row;
}

describe('a tenant disabling an endpoint while the worker records an attempt', () => {
  it('a failed attempt: the attempt is recorded, then the disable fails the delivery; no deadlock, no 500', async () => {
    const { endpointId, claimed } = await claimedDelivery();
    const orm = test.platform.services.db.orm;

    const [recorded, patched] = await withDatabase(test.databaseUrl!, async (holder) => {
      await holder.query('begin');
      await holder.query('select id from webhook_deliveries where id = $1 for update', [claimed.id]);
      const recording = outcome(recordFailedAttempt(orm.em.fork(), claimed, failed));
      await lockWaits('the worker waits for the delivery', 1);
      const patching = outcome(disable(endpointId));
      await lockWaits('the PATCH waits too', 2);
      await holder.query('commit');
      return Promise.all([recording, patching]);
    });

    expect(recorded).toBe('retrying');
    expect(typeof patched === 'string' ? patched : patched.status, JSON.stringify(patched)).toBe(200);
    // The attempt as it went, and the failure as the endpoint's, each in its own field.
    expect(await deliveryRow(claimed.id)).toEqual({
      status: 'failed',
      failure_reason: 'endpoint_disabled',
      last_status_code: 500,
      last_error: null,
    });
  });

  it('a success that ends a failing streak: the success stands, and the disable finds nothing pending', async () => {
    const { endpointId, claimed } = await claimedDelivery();
    await sql(test.databaseUrl!, `update webhook_endpoints set failing_since = now() where id = $1`, [
      endpointId,
    ]);
    const batch = new SuccessBatch(test.platform.services.db.orm, { maxWaitMs: 1 });

    const [recorded, patched] = await withDatabase(test.databaseUrl!, async (holder) => {
      await holder.query('begin');
      await holder.query('select id from webhook_deliveries where id = $1 for update', [claimed.id]);
      const recording = outcome(batch.record(claimed, succeeded));
      await lockWaits('the success waits for the delivery', 1);
      const patching = outcome(disable(endpointId));
      await lockWaits('the PATCH waits too', 2);
      await holder.query('commit');
      return Promise.all([recording, patching]);
    });

    expect(recorded).toBe('succeeded');
    expect(typeof patched === 'string' ? patched : patched.status, JSON.stringify(patched)).toBe(200);
    expect(await deliveryRow(claimed.id)).toEqual({
      status: 'succeeded',
      failure_reason: null,
      last_status_code: 200,
      last_error: null,
    });
    const [endpoint] = await sql<{ enabled: boolean; failing_since: Date | null }>(
      test.databaseUrl!,
      'select enabled, failing_since from webhook_endpoints where id = $1',
      [endpointId],
    );
    expect(endpoint).toEqual({ enabled: false, failing_since: null });
  });
});
