import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, type ApiResponse, apiClient, describeResponse } from '../support/api.ts';
import {
  createTestDatabase,
  redisUrl,
  startTestPlatform,
  type TestDatabase,
  type TestPlatform,
} from '../support/harness.ts';
import { until } from '../support/interview-flow.ts';
import { startTcpSwitch, type TcpSwitch } from '../support/tcp-switch.ts';

/**
 * `/readyz` tells a load balancer whether to send an instance traffic: it fails, naming the check, while
 * PostgreSQL or Redis is out of reach (each behind a switch that cuts the platform's connections and refuses
 * new ones), and passes again once they are back, with no restart. `/healthz` passes throughout.
 */
let database: TestDatabase;
let databaseSwitch: TcpSwitch;
let redisSwitch: TcpSwitch;
let test: TestPlatform;
let api: ApiClient;

/** `url` with its host and port replaced by the switch's. */
function through(url: string, via: TcpSwitch): string {
  const routed = new URL(url);
  routed.host = new URL(via.url).host;
  return routed.toString();
}

beforeAll(async () => {
  database = await createTestDatabase();
  databaseSwitch = await startTcpSwitch(database.url);
  redisSwitch = await startTcpSwitch(redisUrl);
  test = await startTestPlatform(
    { REDIS_URL: through(redisUrl, redisSwitch) },
    { databaseUrl: through(database.url, databaseSwitch) },
  );
  api = apiClient(test.url);
});
afterAll(async () => {
  databaseSwitch?.on();
  redisSwitch?.on();
  await test?.stop();
  await Promise.all([databaseSwitch?.close(), redisSwitch?.close()]);
  await database?.drop();
});

type Checks = Record<'database' | 'redis' | 'blobs', string>;

/** Asks `/readyz` until it answers `status` with `checks`; the last answer explains a timeout. */
async function readiness(status: number, checks: Checks): Promise<void> {
  let last: ApiResponse<unknown> | null = null;
  await until(`/readyz answers ${status} ${JSON.stringify(checks)}`, async () => {
    const res = await api.call<{ checks: Checks }>('GET', '/readyz');
    last = res;
    return res.status === status && JSON.stringify(res.body.checks) === JSON.stringify(checks);
  }).catch((error: Error) => {
    throw new Error(`${error.message}; last answer: ${last ? describeResponse(last) : 'none'}`);
  });
  const alive = await api.call('GET', '/healthz');
  expect(alive.status, describeResponse(alive)).toBe(200);
}

describe('readiness', () => {
  it('fails while PostgreSQL or Redis is out of reach, naming it, and recovers once both are back', async () => {
    await readiness(200, { database: 'ok', redis: 'ok', blobs: 'ok' });

    databaseSwitch.off();
    await readiness(503, { database: 'error', redis: 'ok', blobs: 'ok' });
    const res = await api.call('GET', '/readyz');
    expect(res.body, describeResponse(res)).toEqual({
      status: 'error',
      checks: { database: 'error', redis: 'ok', blobs: 'ok' },
    });

    redisSwitch.off();
    await readiness(503, { database: 'error', redis: 'error', blobs: 'ok' });

    databaseSwitch.on();
    await readiness(503, { database: 'ok', redis: 'error', blobs: 'ok' });

    redisSwitch.on();
    await readiness(200, { database: 'ok', redis: 'ok', blobs: 'ok' });
    const ready = await api.call('GET', '/readyz');
    expect(ready.body, describeResponse(ready)).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok', blobs: 'ok' },
    });
  });
});
