import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'viva-banner-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * `pnpm start` on the embedded default with an AI provider configured (the demo then works in live mode),
 * stopped with Ctrl-C once it has printed its banner. The provider is never called during a start, so an
 * address nothing listens on will do.
 */
async function startAndStop(): Promise<string> {
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      VIVA_DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      PORT: '0',
      LOG_LEVEL: 'silent',
      OPENAI_API_KEY: 'sk-not-a-real-provider-key',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = once(child, 'exit');
  for await (const chunk of child.stdout) {
    stdout += (chunk as Buffer).toString('utf8');
    if (stdout.includes('demo ATS:')) break;
  }
  child.kill('SIGINT');
  await exited;
  expect(stdout, `no banner; stderr: ${stderr}`).toContain('demo ATS:');
  return stdout;
}

describe('the start banner', () => {
  it("shows the demo's live key in full only on the start that made it, and says where it is kept", async () => {
    const file = join(dataDir, 'demo-tenant.json');
    const first = await startAndStop();
    const { live } = JSON.parse(readFileSync(file, 'utf8')) as { live: { key: string } };
    expect(live.key).toMatch(/^sk_live_/);
    expect(first).toContain(live.key);
    expect(first).toContain(file);

    const again = await startAndStop();
    expect(again, 'the full live key, printed again').not.toContain(live.key);
    expect(again).toContain(`${live.key.slice(0, 12)}…${live.key.slice(-4)}`);
    expect(again).toContain(file);
    // The test key, which costs nothing, is still printed for the curl line.
    expect(again).toMatch(/test key: sk_test_\w+/);
  }, 120_000);
});
