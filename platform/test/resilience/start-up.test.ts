import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { migrationLock } from '../../src/db/orm.ts';
import { startPlatform } from '../../src/platform.ts';
import { StartupError } from '../../src/startup-error.ts';
import { freePort } from '../support/child-platform.ts';
import {
  createTestDatabase,
  redisUrl,
  startTestPlatform,
  type TestDatabase,
  type TestPlatform,
} from '../support/harness.ts';
import { sql, until } from '../support/interview-flow.ts';
import { startTcpSwitch } from '../support/tcp-switch.ts';

/**
 * Start-up on a shared PostgreSQL: an instance migrates under an advisory lock, so it waits while another
 * holds it (here the test holds it, standing in for an instance that is migrating), and meanwhile it
 * already listens: it is alive (`/healthz` 200, so a liveness probe lets a long migration finish) but not
 * ready, answering everything else 503 with Retry-After and a request id. And it uses only a database that
 * exists: a misspelt name stops it, rather than giving it an empty database of its own.
 */
const adminUrl = process.env.VIVA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
let database: TestDatabase | null = null;
let holder: pg.Client | null = null;
let test: TestPlatform | null = null;

afterAll(async () => {
  await holder?.end();
  await test?.stop();
  await database?.drop();
});

describe('start-up', () => {
  it('waits for the migration lock, alive but answering 503 with a request id until it has migrated', async () => {
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
    const alive = await fetch(`${url}/healthz`);
    const aliveText = await alive.text();
    expect(alive.status, aliveText).toBe(200);
    expect(JSON.parse(aliveText)).toEqual({ status: 'ok' });
    expect(alive.headers.get('x-request-id')).toMatch(/^req_/);
    const notReady = await fetch(`${url}/readyz`);
    const notReadyText = await notReady.text();
    expect(notReady.status, notReadyText).toBe(503);
    expect(notReady.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(notReadyText)).toMatchObject({
      code: 'service_unavailable',
      request_id: notReady.headers.get('x-request-id'),
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

describe('a database that does not exist', () => {
  it('stops start-up with the error naming DATABASE_URL, and is not created', async () => {
    const name = `viva_missing_${randomBytes(6).toString('hex')}`;
    const missing = new URL(adminUrl);
    missing.pathname = `/${name}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'viva-test-'));
    try {
      const config = loadConfig({
        PORT: '0',
        VIVA_DATA_DIR: dataDir,
        DATABASE_URL: missing.toString(),
        LOG_LEVEL: 'silent',
      });
      const failure = await startPlatform(config).then(
        async (platform) => {
          await platform.close();
          return null;
        },
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(StartupError);
      expect(failure).toMatchObject({
        setting: 'DATABASE_URL',
        message: `cannot use the PostgreSQL database at ${missing.host}: database "${name}" does not exist`,
      });
      expect(await sql(adminUrl, 'select datname from pg_database where datname = $1', [name])).toEqual([]);
    } finally {
      await sql(adminUrl, `drop database if exists ${name} with (force)`);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a Redis that answers slowly while the platform starts', () => {
  it('waits for it to come round instead of failing start-up', async () => {
    // Slower than the request connection's 300 ms command timeout, as on a machine busy starting many
    // things at once: its handshake times out, ioredis makes the connection again, and start-up waits.
    const redisSwitch = await startTcpSwitch(redisUrl);
    redisSwitch.slow(500);
    const recovered = setTimeout(() => redisSwitch.slow(0), 1_500);
    let slowStart: TestPlatform | null = null;
    try {
      slowStart = await startTestPlatform({ REDIS_URL: `redis://${new URL(redisSwitch.url).host}` });
      const ready = await fetch(`${slowStart.url}/readyz`);
      expect(ready.status, await ready.text()).toBe(200);
    } finally {
      clearTimeout(recovered);
      await slowStart?.stop();
      await redisSwitch.close();
    }
  });
});
