import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { jobInput } from '../support/fixtures.ts';
import {
  createTestDatabase,
  startTestPlatform,
  type TestDatabase,
  type TestPlatform,
} from '../support/harness.ts';
import { sql, until } from '../support/interview-flow.ts';

/**
 * PostgreSQL goes away under a running platform (its connections killed, new ones refused) and comes back.
 * Meanwhile clients get 503 with Retry-After — an outage to wait out, not a bug — and nothing they retried
 * with the same Idempotency-Key is lost or done twice.
 */
const adminUrl = process.env.VIVA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
let database: TestDatabase;
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

const name = () => new URL(database.url).pathname.slice(1);
async function takeDown(): Promise<void> {
  await sql(adminUrl, `alter database ${name()} allow_connections false`);
  await sql(adminUrl, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name()]);
}
async function bringBack(): Promise<void> {
  await sql(adminUrl, `alter database ${name()} allow_connections true`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  test = await startTestPlatform({}, { databaseUrl: database.url });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => {
  await bringBack().catch(() => undefined);
  await test?.stop();
  await database?.drop();
});

describe('a database outage', () => {
  it('answers 503 with Retry-After while PostgreSQL is down, and recovers when it is back', async () => {
    const before = await api.call('GET', '/v1/jobs', { key: tenant.testKey });
    expect(before.status, describeResponse(before)).toBe(200);

    await takeDown();
    const during = await api.call('GET', '/v1/jobs', { key: tenant.testKey });
    expect(during.status, describeResponse(during)).toBe(503);
    expect(during.body).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(during.headers.get('retry-after')).toBe('2');
    const create = () =>
      api.call<{ id: string }>('POST', '/v1/jobs', {
        key: tenant.testKey,
        body: jobInput,
        idempotencyKey: 'outage-job-1',
      });
    const refused = await create();
    expect(refused.status, describeResponse(refused)).toBe(503);

    await bringBack();
    await until(
      'the platform reaches PostgreSQL again',
      async () => (await api.call('GET', '/v1/jobs', { key: tenant.testKey })).status === 200,
    );
    const created = await create();
    expect(created.status, describeResponse(created)).toBe(201);
    const replayed = await create();
    expect(replayed.body.id).toBe(created.body.id);
    const jobs = await api.call<{ data: unknown[] }>('GET', '/v1/jobs', { key: tenant.testKey });
    expect(jobs.body.data).toHaveLength(1);
  });
});
