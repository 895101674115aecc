import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createTestTenant } from '../support/api.ts';
import { adminKey, logCapture, startTestPlatform, type TestPlatform } from '../support/harness.ts';

let test: TestPlatform;
let api: ApiClient;
const { lines, sink } = logCapture();

beforeAll(async () => {
  test = await startTestPlatform({ LOG_LEVEL: 'info' }, { logDestination: sink });
  api = apiClient(test.url);
});
afterAll(async () => test?.stop());

describe('logs', () => {
  it('are one JSON object per line with the request id, and never hold a secret', async () => {
    const tenant = await createTestTenant(api);
    const created = await api.call<{ secret: string }>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'logged?' },
    });
    await api.call('GET', '/v1/jobs', { key: created.body.secret });
    await api.call('GET', '/v1/jobs', { key: `${tenant.testKey.slice(0, -1)}x` });
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = parsed.filter((entry) => entry.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(
      requests.every((entry) => typeof entry.request_id === 'string' && typeof entry.status === 'number'),
    ).toBe(true);
    const all = lines.join('\n');
    for (const secret of [tenant.testKey, tenant.liveKey, created.body.secret, adminKey]) {
      expect(all).not.toContain(secret);
    }
  });
});
