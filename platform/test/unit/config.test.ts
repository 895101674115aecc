import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

describe('configuration', () => {
  it('runs on the embedded default with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      databaseUrl: null,
      redisUrl: null,
      s3: null,
      adminKey: null,
      publicUrl: null,
    });
    expect(config.dataDir).toMatch(/\.viva$/);
  });

  it('allows webhooks to private networks by default only on the embedded default', () => {
    expect(loadConfig({}).webhooks.allowPrivateNetworks).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/viva' }).webhooks.allowPrivateNetworks).toBe(false);
    expect(loadConfig({ VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }).webhooks.allowPrivateNetworks).toBe(
      false,
    );
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/viva', VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhooks
        .allowPrivateNetworks,
    ).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT must be a whole number from 0 to 65535/],
    // What `Number` would read, but no one means: hexadecimal, an exponent, a fraction, a sign.
    [{ PORT: '0x1F90' }, /^PORT must be a whole number from 0 to 65535, got "0x1F90"$/],
    [{ PORT: '1e3' }, /^PORT must be a whole number from 0 to 65535, got "1e3"$/],
    [{ PORT: '4000.0' }, /^PORT must be a whole number from 0 to 65535, got "4000.0"$/],
    [{ PORT: '+4000' }, /^PORT must be a whole number/],
    [{ VIVA_MAX_JSON_BYTES: '2e6' }, /^VIVA_MAX_JSON_BYTES must be a whole number/],
    [{ VIVA_WORKER_METRICS_PORT: '0x10' }, /^VIVA_WORKER_METRICS_PORT must be a whole number/],
    [
      { VIVA_PUBLIC_URL: 'https://viva.example/?tenant=acme' },
      /^VIVA_PUBLIC_URL must not have a query or fragment \(a path is fine\), got "https:\/\/viva.example\/\?tenant=acme"$/,
    ],
    [{ VIVA_PUBLIC_URL: 'https://viva.example#top' }, /^VIVA_PUBLIC_URL must not have a query or fragment/],
    [{ VIVA_PUBLIC_URL: 'https://viva.example/?' }, /^VIVA_PUBLIC_URL must not have a query or fragment/],
    [
      { VIVA_INTERVIEWER_LEASE_SECONDS: '30', VIVA_INTERVIEWER_TURN_SECONDS: '30' },
      /^VIVA_INTERVIEWER_TURN_SECONDS must be below VIVA_INTERVIEWER_LEASE_SECONDS \(30\), got "30": a turn still running when its lease lapses is generated twice$/,
    ],
    [
      { VIVA_INTERVIEWER_TURN_SECONDS: '120' },
      /^VIVA_INTERVIEWER_TURN_SECONDS must be below VIVA_INTERVIEWER_LEASE_SECONDS \(60\)/,
    ],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must use postgres or postgresql/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL must be a URL/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL must use redis or rediss/],
    [{ VIVA_ADMIN_KEY: 'short' }, /^VIVA_ADMIN_KEY must be at least 24 characters/],
    [{ S3_ENDPOINT: 'http://127.0.0.1:9000' }, /^S3_BUCKET must be set when S3_ENDPOINT is set/],
    [{ S3_BUCKET: 'No_Such Bucket' }, /^S3_BUCKET must be a valid bucket name/],
    [
      { S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'a' },
      /^S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together/,
    ],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ VIVA_CORS_ORIGINS: 'ats.example.com' }, /^VIVA_CORS_ORIGINS must list origins/],
    [{ VIVA_RATE_LIMIT_PER_KEY: '0' }, /^VIVA_RATE_LIMIT_PER_KEY must be a whole number/],
    [
      { VIVA_WORKER_METRICS_PORT: 'metrics' },
      /^VIVA_WORKER_METRICS_PORT must be a whole number from 0 to 65535/,
    ],
    [
      { LIVEKIT_URL: 'wss://lk.example' },
      /^LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set with LIVEKIT_URL \(all three, or none\)$/,
    ],
    [
      { LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'x'.repeat(32) },
      /^LIVEKIT_URL must be set with LIVEKIT_API_KEY and LIVEKIT_API_SECRET/,
    ],
    [
      { LIVEKIT_URL: 'ftp://lk.example', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'x'.repeat(32) },
      /^LIVEKIT_URL must use wss or ws or https or http/,
    ],
    [
      { LIVEKIT_URL: 'wss://lk.example', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'short' },
      /^LIVEKIT_API_SECRET must be at least 32 characters/,
    ],
  ])('refuses %o with one line naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads whole numbers written in plain digits', () => {
    expect(loadConfig({ PORT: '8080', VIVA_WORKER_METRICS_PORT: '0' })).toMatchObject({
      port: 8080,
      workerMetricsPort: 0,
    });
    expect(loadConfig({ PORT: ' 0 ' }).port).toBe(0);
  });

  it('keeps a path in VIVA_PUBLIC_URL, without its trailing slash', () => {
    expect(loadConfig({ VIVA_PUBLIC_URL: 'https://viva.example/interviews/' }).publicUrl).toBe(
      'https://viva.example/interviews',
    );
    expect(loadConfig({ VIVA_PUBLIC_URL: 'http://127.0.0.1:4000' }).publicUrl).toBe('http://127.0.0.1:4000');
  });

  it('takes an interviewer turn limit below the lease, and three quarters of it by default', () => {
    expect(
      loadConfig({ VIVA_INTERVIEWER_LEASE_SECONDS: '30', VIVA_INTERVIEWER_TURN_SECONDS: '29' }),
    ).toMatchObject({ interviewerLeaseSeconds: 30, interviewerTurnSeconds: 29 });
    expect(loadConfig({ VIVA_INTERVIEWER_LEASE_SECONDS: '40' }).interviewerTurnSeconds).toBe(30);
  });

  it('turns realtime voice on with all three LiveKit settings, and off with none', () => {
    expect(loadConfig({}).livekit).toBeNull();
    const config = loadConfig({
      LIVEKIT_URL: 'wss://lk.example/',
      LIVEKIT_API_KEY: 'APIkey',
      LIVEKIT_API_SECRET: 's'.repeat(40),
      VIVA_LIVEKIT_MAX_AGENTS: '5',
    });
    expect(config.livekit).toEqual({
      url: 'wss://lk.example',
      apiKey: 'APIkey',
      apiSecret: 's'.repeat(40),
      agentWorker: true,
      maxAgents: 5,
    });
  });

  it('never shows the LiveKit secret in a configuration error', () => {
    const secret = 'hunter2-hunter2-hunter2-hunter2-hunter2';
    expect(() => loadConfig({ LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: secret })).toThrow(
      new RegExp(`^(?!.*${secret})`),
    );
  });

  it('keeps credentials of a bad URL out of the message', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://user:hunter2@ host' })).toThrow(/^(?!.*hunter2)/);
  });

  it('stops `pnpm start` with exactly one clear line on a bad setting', () => {
    const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    const run = spawnSync(process.execPath, [main], {
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'viva: invalid configuration: PORT must be a whole number from 0 to 65535, got "eighty"',
    ]);
  });
});
