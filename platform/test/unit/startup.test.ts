import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/harness.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'viva-startup-'));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `pnpm start` as a newcomer runs it, with `env` on top: what it prints on stderr, and how it exits. */
async function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      VIVA_DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('a platform that cannot start', () => {
  it('says in one line which setting to look at: a port in use, an unreachable database or Redis', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    try {
      const busy = await start({ PORT: String(port) });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toBe(
        `viva: could not start: port ${port} on 127.0.0.1 is already in use: stop what uses it, or set PORT (check PORT)\n`,
      );
    } finally {
      taken.close();
    }

    const noDatabase = await start({ DATABASE_URL: 'postgresql://viva:secret@127.0.0.1:1/viva', PORT: '0' });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toBe(
      'viva: could not start: cannot use the PostgreSQL database at 127.0.0.1:1: connection refused (check DATABASE_URL)\n',
    );
    expect(noDatabase.stderr, 'no credentials').not.toContain('secret');

    const noRedis = await start({ DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:1', PORT: '0' });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toBe(
      'viva: could not start: cannot connect to Redis at 127.0.0.1:1: connection refused (check REDIS_URL)\n',
    );

    const refused = await start({
      DATABASE_URL: database.url,
      REDIS_URL: 'redis://viva-nobody:not-the-password@127.0.0.1:6379',
      PORT: '0',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^viva: could not start: cannot connect to Redis at 127\.0\.0\.1:6379: WRONGPASS .+ \(check REDIS_URL\)\n$/,
    );
    expect(refused.stderr, 'no credentials').not.toContain('not-the-password');
  });
});
