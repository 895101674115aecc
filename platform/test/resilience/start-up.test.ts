import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationLock } from '../../src/db/orm.ts';
import { freePort } from '../support/child-platform.ts';
import {
  createTestDatabase,
  startTestPlatform,
  type TestDatabase,
  type TestPlatform,
} from '../support/harness.ts';
import { until } from '../support/interview-flow.ts';

/**
 * Start-up on a shared PostgreSQL: an instance migrates under an advisory lock, so it waits while another
 * holds it (here the test holds it, standing in for an instance that is migrating), and meanwhile it
 * already listens and answers every request 503 with Retry-After and a request id.
 */
let database: TestDatabase | null = null;
let holder: pg.Client | null = null;
let test: TestPlatform | null = null;

afterAll(async () => {
  await holder?.end();
  await test?.stop();
  await database?.drop();
});

describe('start-up', () => {
  it('waits for the migration lock, answering 503 with a request id until it has migrated', async () => {
    database = await createTestDatabase();
    holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('select pg_advisory_lock($1)', [migrationLock]);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const starting = startTestPlatform({ PORT: String(port) }, { databaseUrl: database.url });
    starting.catch(() => undefined);

    const waitingForLock = async () => {
      const { rows } = await holder!.query<{ waiting: number }>(
        `select count(*)::int as waiting from pg_locks
         where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
      );
      return rows[0]!.waiting > 0;
    };
    await until('the platform waits for the migration lock', waitingForLock);

    const res = await fetch(`${url}/v1/jobs`);
    const text = await res.text();
    expect(res.status, text).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('1');
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^req_/);
    expect(JSON.parse(text)).toMatchObject({
      code: 'service_unavailable',
      status: 503,
      request_id: requestId,
    });
    const { rows } = await holder.query<{ count: number }>(
      `select count(*)::int as count from information_schema.tables where table_name = 'jobs'`,
    );
    expect(rows[0]!.count, 'nothing migrated while the lock was held').toBe(0);

    await holder.query('select pg_advisory_unlock($1)', [migrationLock]);
    test = await starting;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status, await ready.text()).toBe(200);
  });
});
