import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyChanges } from '../../src/api-keys/key-changes.ts';
import { SecretKeys } from '../../src/api-keys/secret-keys.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { jobInput } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { sql } from '../support/interview-flow.ts';

/**
 * Every instance remembers the rows of the keys in use (SecretKeys). Two instances on one database and one
 * Redis, as behind a load balancer: a change made through one must be honoured by the other from the very
 * next request, however recently that other one read the key.
 */

let a: TestPlatform;
let b: TestPlatform;
let apiA: ApiClient;
let apiB: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  a = await startTestPlatform();
  b = await startTestPlatform({}, { databaseUrl: a.databaseUrl!, s3: a.s3! });
  apiA = apiClient(a.url);
  apiB = apiClient(b.url);
  tenant = await createTestTenant(apiA);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

interface NewKey {
  id: string;
  secret: string;
}

async function newKey(api: ApiClient, body: Record<string, unknown> = {}): Promise<NewKey> {
  const res = await api.call<NewKey>('POST', '/v1/api_keys', {
    key: tenant.testKey,
    body: { name: 'key under test', ...body },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

/** Uses the key on an instance, so that instance remembers it. */
async function expectWorks(api: ApiClient, secret: string, path = '/v1/jobs'): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const res = await api.call('GET', path, { key: secret });
    expect(res.status, describeResponse(res)).toBe(200);
  }
}

describe('a change to a key, on two instances', () => {
  it('refuses a key on B at once after A revoked it, and on A after B did', async () => {
    for (const [revoker, other] of [
      [apiA, apiB],
      [apiB, apiA],
      [apiA, apiB],
    ] as const) {
      const key = await newKey(revoker);
      await expectWorks(other, key.secret);
      await expectWorks(revoker, key.secret);
      const revoked = await revoker.call('DELETE', `/v1/api_keys/${key.id}`, { key: tenant.testKey });
      expect(revoked.status, describeResponse(revoked)).toBe(200);
      const onOther = await other.call('GET', '/v1/jobs', { key: key.secret });
      expect(onOther.status, describeResponse(onOther)).toBe(401);
      expect(onOther.body).toMatchObject({ code: 'invalid_api_key' });
      const onRevoker = await revoker.call('GET', '/v1/jobs', { key: key.secret });
      expect(onRevoker.status, describeResponse(onRevoker)).toBe(401);
    }
  });

  it('refuses a revoked key on B even while B is answering a stream of its requests', async () => {
    const key = await newKey(apiA);
    await expectWorks(apiB, key.secret);
    let revokedAt = 0;
    const answers: { status: number; sentAt: number }[] = [];
    const hammer = (async () => {
      while (!revokedAt || answers.length === 0 || answers.at(-1)!.sentAt <= revokedAt) {
        const sentAt = performance.now();
        const res = await apiB.call('GET', '/v1/jobs', { key: key.secret });
        answers.push({ status: res.status, sentAt });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const revoked = await apiA.call('DELETE', `/v1/api_keys/${key.id}`, { key: tenant.testKey });
    revokedAt = performance.now();
    expect(revoked.status, describeResponse(revoked)).toBe(200);
    await hammer;
    const afterRevocation = answers.filter((answer) => answer.sentAt > revokedAt);
    expect(afterRevocation.length).toBeGreaterThan(0);
    expect(afterRevocation.map((answer) => answer.status)).toEqual(afterRevocation.map(() => 401));
  });

  it('honours on B at once a change of scopes announced on A', async () => {
    const key = await newKey(apiA);
    const created = await apiB.call('POST', '/v1/jobs', {
      key: key.secret,
      body: jobInput,
    });
    expect(created.status, describeResponse(created)).toBe(201);
    // No operation changes a key's scopes yet; one that does must announce it as revocation does.
    const [row] = await sql<{ lookup: string }>(
      a.databaseUrl!,
      `update api_keys set scopes = '["jobs:read"]' where id = $1 returning lookup`,
      [key.id],
    );
    await a.platform.services.keyChanges.changed(row!.lookup);
    const refused = await apiB.call('POST', '/v1/jobs', {
      key: key.secret,
      body: jobInput,
    });
    expect(refused.status, describeResponse(refused)).toBe(403);
    expect(refused.body).toMatchObject({ code: 'insufficient_scope' });
    await expectWorks(apiB, key.secret);
  });

  it('refuses a remembered key once it expires', async () => {
    const expiresAt = Date.now() + 1500;
    const key = await newKey(apiA, { expires_at: new Date(expiresAt).toISOString() });
    await expectWorks(apiB, key.secret);
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 10));
    const res = await apiB.call('GET', '/v1/jobs', { key: key.secret });
    expect(res.status, describeResponse(res)).toBe(401);
  });
});

describe('remembered keys when changes cannot be read', () => {
  it('reads the key’s row on every request, so a revocation still takes effect at once', async () => {
    const unreachable: KeyChanges = {
      markOf: () => Promise.reject(new Error('Redis is not answering')),
      changed: () => Promise.reject(new Error('Redis is not answering')),
    };
    const keys = new SecretKeys(a.platform.services.db.orm, unreachable);
    const key = await newKey(apiA);
    await expect(keys.authenticate(key.secret)).resolves.toMatchObject({ tenantId: tenant.id });
    await sql(a.databaseUrl!, 'update api_keys set revoked_at = now() where id = $1', [key.id]);
    await expect(keys.authenticate(key.secret)).rejects.toMatchObject({ code: 'invalid_api_key' });
  });
});
