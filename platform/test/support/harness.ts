import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { Config } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningPlatform, type StartOptions, startPlatform } from '../../src/platform.ts';
import { type S3Server, startS3Server } from './s3-server.ts';

/**
 * Which real infrastructure a test run talks to. `postgres`: PostgreSQL on 127.0.0.1:5432 (a fresh database
 * per test file), Redis on 6379 and a real S3 API (s3rver). `embedded`: the `pnpm start` default — PGlite in
 * a temporary data directory, in-process rate limits, blobs in a local folder.
 */
export const backend = (process.env.VIVA_TEST_BACKEND ?? 'postgres') as 'postgres' | 'embedded';
const postgresAdminUrl = process.env.VIVA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.VIVA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const adminKey = 'test-admin-key-0123456789abcdef';

export interface TestPlatform {
  url: string;
  platform: RunningPlatform;
  s3: S3Server | null;
  /** The PostgreSQL database it runs on (null on the embedded backend), for a second instance to share. */
  databaseUrl: string | null;
  stop(): Promise<void>;
}

export interface TestPlatformOptions extends StartOptions {
  /**
   * Runs on this PostgreSQL database (another test platform's `databaseUrl`, or one from
   * `createTestDatabase`) instead of creating a fresh one; stopping the platform leaves it in place.
   */
  databaseUrl?: string;
  /** Shares this S3 server (another test platform's `s3`) instead of starting one; stopping leaves it running. */
  s3?: S3Server;
  /**
   * Changes the loaded configuration: for states no valid setting gives, but a real instance can be in (one
   * so stalled that its turns outlive their lease, say).
   */
  configure?: (config: Config) => Config;
}

async function withAdminClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database (the platform migrates it on start); `drop` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const database = `viva_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create database ${database}`));
  return {
    url: postgresAdminUrl.replace(/\/[^/]*$/, `/${database}`),
    drop: () =>
      withAdminClient((client) => client.query(`drop database if exists ${database} with (force)`)).then(
        () => undefined,
      ),
  };
}

/** Starts the whole platform in-process on a free port, on the run's backend, with extra env on top. */
export async function startTestPlatform(
  env: Record<string, string> = {},
  options: TestPlatformOptions = {},
): Promise<TestPlatform> {
  const { databaseUrl: sharedDatabaseUrl, s3: sharedS3, configure, ...startOptions } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'viva-test-'));
  const base: Record<string, string> = {
    PORT: '0',
    VIVA_DATA_DIR: dataDir,
    VIVA_ADMIN_KEY: adminKey,
    // VIVA_TEST_LOG_LEVEL=error shows what a 500 hid, when debugging a test.
    LOG_LEVEL: process.env.VIVA_TEST_LOG_LEVEL ?? 'silent',
    VIVA_RATE_LIMIT_PER_KEY: '10000',
    VIVA_RATE_LIMIT_PER_TENANT: '10000',
  };
  let ownDatabase: TestDatabase | null = null;
  let ownS3: S3Server | null = null;
  let databaseUrl: string | null = sharedDatabaseUrl ?? null;
  let s3: S3Server | null = sharedS3 ?? null;
  if (backend === 'postgres') {
    if (!databaseUrl) {
      ownDatabase = await createTestDatabase();
      databaseUrl = ownDatabase.url;
    }
    if (!s3) {
      ownS3 = await startS3Server();
      s3 = ownS3;
    }
    Object.assign(base, {
      REDIS_URL: redisUrl,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
  }
  if (databaseUrl) base.DATABASE_URL = databaseUrl;
  const loaded: Config = loadConfig({ ...base, ...env });
  const config = configure ? configure(loaded) : loaded;
  const platform = await startPlatform(config, startOptions);
  return {
    url: platform.url,
    platform,
    s3,
    databaseUrl,
    async stop() {
      await platform.close();
      await ownS3?.stop();
      await ownDatabase?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A `logDestination` for `startTestPlatform` that keeps every line the platform logs, for tests to read. */
export function logCapture(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, sink };
}
