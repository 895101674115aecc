import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { redisUrl, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { sql, until, within } from '../support/interview-flow.ts';
import { startTcpSwitch, type TcpSwitch } from '../support/tcp-switch.ts';

/**
 * Redis goes away under a running platform (the platform reaches it through a switch that cuts its
 * connections and refuses new ones) and comes back. Each authenticated request asks Redis for its key's
 * change mark and spends its rate limit there; while Redis is down it must not wait out the client
 * library's retries (that once took 25 to 38 seconds a request), but fall back at once: rate limits are
 * counted in the process, and the key's row is read from PostgreSQL on every request, so a key revoked
 * meanwhile is still refused at once. Once Redis is back, the budgets and the marks live there again. The
 * same holds for a Redis that hangs, keeping its connections but answering nothing.
 */
let redisSwitch: TcpSwitch;
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let redis: Redis;

/** How long a client in this test waits for an answer: far beyond any fallback, far below a retry cycle. */
const clientPatienceMs = 5_000;

beforeAll(async () => {
  redisSwitch = await startTcpSwitch(redisUrl);
  test = await startTestPlatform({ REDIS_URL: `redis://${new URL(redisSwitch.url).host}` });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  redisSwitch?.on();
  redis?.disconnect();
  await test?.stop();
  await redisSwitch?.close();
});

interface NewKey {
  id: string;
  secret: string;
}

async function newKey(name: string): Promise<NewKey> {
  const res = await api.call<NewKey>('POST', '/v1/api_keys', { key: tenant.testKey, body: { name } });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

/** `GET /v1/jobs` with `secret`, failing the test if the platform keeps the client waiting. */
function listJobs(secret: string, when: string): Promise<ApiResponse> {
  return within(`GET /v1/jobs ${when}`, api.call('GET', '/v1/jobs', { key: secret }), clientPatienceMs);
}

describe('a Redis outage', () => {
  it('answers authenticated requests at once while Redis is down, and uses Redis again once it is back', async () => {
    // Used before the outage, so the platform remembers it; and one it has never seen used.
    const remembered = await newKey('remembered');
    const unseen = await newKey('unseen');
    const doomed = await newKey('revoked during the outage');
    for (const secret of [tenant.testKey, remembered.secret, remembered.secret, doomed.secret]) {
      const res = await listJobs(secret, 'before the outage');
      expect(res.status, describeResponse(res)).toBe(200);
    }

    redisSwitch.off();
    for (const [secret, what] of [
      [tenant.testKey, 'with a key in use'],
      [remembered.secret, 'with a key in use'],
      [remembered.secret, 'with a key in use, again'],
      [unseen.secret, 'with a key first used now'],
      [unseen.secret, 'with a key first used now, again'],
    ] as const) {
      const res = await listJobs(secret, `while Redis is down, ${what}`);
      expect(res.status, describeResponse(res)).toBe(200);
    }
    // Revoked behind this instance's back (as another instance would, its announcement lost with Redis):
    // with no mark to go by, the platform reads the row, and refuses the key at once.
    await sql(test.databaseUrl!, 'update api_keys set revoked_at = now() where id = $1', [doomed.id]);
    const refused = await listJobs(doomed.secret, 'while Redis is down, with a key revoked meanwhile');
    expect(refused.status, describeResponse(refused)).toBe(401);
    expect(refused.body).toMatchObject({ code: 'invalid_api_key' });

    redisSwitch.on();
    await until('rate limits are counted in Redis again', async () => {
      const res = await listJobs(unseen.secret, 'once Redis is back');
      expect(res.status, describeResponse(res)).toBe(200);
      return (await redis.exists(`viva:rl:key:${unseen.id}`)) === 1;
    });
    // The instance remembers the key again, under its mark in Redis; revoking it renews the mark there.
    for (let i = 0; i < 2; i++) {
      const res = await listJobs(remembered.secret, 'once Redis is back');
      expect(res.status, describeResponse(res)).toBe(200);
    }
    const revoked = await api.call('DELETE', `/v1/api_keys/${remembered.id}`, { key: tenant.testKey });
    expect(revoked.status, describeResponse(revoked)).toBe(200);
    const gone = await listJobs(remembered.secret, 'after the key was revoked');
    expect(gone.status, describeResponse(gone)).toBe(401);
  });

  it('answers at once while Redis keeps its connections but answers nothing, and uses it again after', async () => {
    const key = await newKey('in use while Redis hangs');
    for (let i = 0; i < 2; i++) {
      const res = await listJobs(key.secret, 'before Redis hangs');
      expect(res.status, describeResponse(res)).toBe(200);
    }

    redisSwitch.stall();
    // Over more than a second, so the platform also gives up on connections that hear nothing.
    const hangsUntil = Date.now() + 1_500;
    do {
      const res = await listJobs(key.secret, 'while Redis hangs');
      expect(res.status, describeResponse(res)).toBe(200);
    } while (Date.now() < hangsUntil);

    redisSwitch.on();
    await until('rate limits are counted in Redis again', async () => {
      const res = await listJobs(key.secret, 'once Redis answers again');
      expect(res.status, describeResponse(res)).toBe(200);
      return (await redis.exists(`viva:rl:key:${key.id}`)) === 1;
    });
  });
});
