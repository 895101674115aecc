import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@viva/platform/src/config/config.ts';
import { type RunningPlatform, startPlatform } from '@viva/platform/src/platform.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteCandidate, VivaError, vivaClient } from '../src/quickstart.ts';

/** The example run the way its README says, with one command, against a real platform on the embedded default. */
const adminKey = 'example-admin-key-0123456789abcdef';
let platform: RunningPlatform;
let dataDir: string;
let testKey: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viva-quickstart-'));
  platform = await startPlatform(
    loadConfig({ PORT: '0', VIVA_DATA_DIR: dataDir, VIVA_ADMIN_KEY: adminKey, LOG_LEVEL: 'silent' }),
  );
  const res = await fetch(`${platform.url}/admin/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Quickstart' }),
  });
  testKey = ((await res.json()) as { api_keys: { test: string } }).api_keys.test;
});
afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('rest-quickstart', () => {
  it('runs with one command and prints a join URL for a scheduled interview', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['src/quickstart.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, VIVA_URL: platform.url, VIVA_API_KEY: testKey },
    });
    const interviewId = /interview {2}(int_\w+)/.exec(stdout)?.[1];
    expect(stdout).toMatch(/join URL {3}http:\/\/127\.0\.0\.1:\d+\/join#token=/);
    const interview = await fetch(`${platform.url}/v1/interviews/${interviewId}`, {
      headers: { authorization: `Bearer ${testKey}` },
    });
    expect(await interview.json()).toMatchObject({ id: interviewId, status: 'scheduled' });
  });

  it('says what to set when the key is missing', async () => {
    const run = promisify(execFile)(process.execPath, ['src/quickstart.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, VIVA_URL: platform.url, VIVA_API_KEY: '' },
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Set VIVA_API_KEY') });
  });

  it('throws a VivaError carrying the code and request id when the API refuses', async () => {
    const error = await inviteCandidate(vivaClient(platform.url, 'sk_test_not-a-real-key')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VivaError);
    expect(error).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      requestId: expect.stringMatching(/^req_/),
    });
  });
});
