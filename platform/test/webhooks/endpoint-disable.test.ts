import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
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
import { sql, until, withDatabase } from '../support/interview-flow.ts';

/**
 * A manual disable racing a fan-out leaves no pending delivery on the disabled endpoint, whichever of the
 * two takes the endpoint's row first: the fan-out reads endpoints FOR KEY SHARE, and the disable locks the
 * row for update and fails its pending deliveries in the same transaction. Each test holds one side open in a
 * transaction of its own and lets the platform run the other side into it.
 */

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  // No worker of its own: the test runs the fan-out.
  test = await startTestPlatform({ VIVA_WEBHOOK_WORKER: 'false' });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

async function endpoint(): Promise<string> {
  const res = await api.call<{ id: string }>('POST', '/v1/webhook_endpoints', {
    key: tenant.testKey,
    body: { url: 'https://ats.example.com/hooks', enabled_events: ['interview.scheduled'] },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body.id;
}

/** The interview.scheduled event of a new interview, not yet fanned out (there is no worker). */
async function undispatchedEvent(): Promise<string> {
  const { interviewId } = await createInterview(api, tenant.testKey);
  const [event] = await sql<{ id: string }>(
    test.databaseUrl!,
    `select id from events where interview_id = $1 and dispatched_at is null`,
    [interviewId],
  );
  return event!.id;
}

function deliveriesOf(endpointId: string) {
  return sql<{ status: string; failure_reason: string | null; last_error: string | null }>(
    test.databaseUrl!,
    'select status, failure_reason, last_error from webhook_deliveries where endpoint_id = $1',
    [endpointId],
  );
}

/** Waits until `work` is blocked on a row lock, or done (which, unfixed, it would be without waiting). */
async function blockedOrDone(what: string, work: Promise<unknown>): Promise<void> {
  let done = false;
  void work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await until(what, async () => {
    if (done) return true;
    const [waiting] = await sql<{ n: number }>(
      test.databaseUrl!,
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return waiting!.n > 0;
  });
}

describe('disabling an endpoint while events are fanned out', () => {
  it('the fan-out waits for a disable in flight, then sends the endpoint nothing', async () => {
    const endpointId = await endpoint();
    await undispatchedEvent();

    await withDatabase(test.databaseUrl!, async (disable) => {
      // A PATCH {"enabled": false} half done: the row locked and written, not yet committed.
      await disable.query('begin');
      await disable.query('select id from webhook_endpoints where id = $1 for update', [endpointId]);
      await disable.query(
        `update webhook_endpoints set enabled = false, disabled_reason = 'manual' where id = $1`,
        [endpointId],
      );
      const fanOut = fanOutEvents(test.platform.services.db.orm.em.fork());
      await blockedOrDone('the fan-out waits for the disable, or is done', fanOut);
      await disable.query('commit');
      expect(await fanOut).toBeGreaterThanOrEqual(1);
    });

    // An endpoint its owner disabled gets no deliveries at all; above all, none pending.
    expect(await deliveriesOf(endpointId)).toEqual([]);
  });

  it('a disable waits for a fan-out in flight, then fails the deliveries it committed', async () => {
    const endpointId = await endpoint();
    const eventId = await undispatchedEvent();

    await withDatabase(test.databaseUrl!, async (fanOut) => {
      // A fan-out half done, as fanOutEvents does it: the endpoint read FOR KEY SHARE, a pending delivery
      // inserted, the event marked dispatched, nothing committed yet.
      await fanOut.query('begin');
      await fanOut.query('select id from webhook_endpoints where id = $1 for key share', [endpointId]);
      await fanOut.query(
        `insert into webhook_deliveries (id, tenant_id, livemode, endpoint_id, event_id, event_type,
                                         interview_id, sequence, status, attempts, next_attempt_at,
                                         created_at, updated_at)
         select $1, tenant_id, livemode, $2, id, type, interview_id, sequence, 'pending', 0, now(), now(), now()
           from events where id = $3`,
        [newId('webhookDelivery'), endpointId, eventId],
      );
      await fanOut.query('update events set dispatched_at = now() where id = $1', [eventId]);
      const disabled = api.call('PATCH', `/v1/webhook_endpoints/${endpointId}`, {
        key: tenant.testKey,
        body: { enabled: false },
      });
      await blockedOrDone('the disable waits for the fan-out, or is done', disabled);
      await fanOut.query('commit');
      const res = await disabled;
      expect(res.status, describeResponse(res)).toBe(200);
      expect(res.body).toMatchObject({ enabled: false, disabled_reason: 'manual' });
    });

    // Failed for the endpoint's sake: no attempt was made, so none is blamed.
    expect(await deliveriesOf(endpointId)).toEqual([
      { status: 'failed', failure_reason: 'endpoint_disabled', last_error: null },
    ]);
  });
});
