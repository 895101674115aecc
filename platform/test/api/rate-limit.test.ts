import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createTestTenant, describeResponse } from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

let test: TestPlatform;
let api: ApiClient;

beforeAll(async () => {
  test = await startTestPlatform({ VIVA_RATE_LIMIT_PER_KEY: '5', VIVA_RATE_LIMIT_PER_TENANT: '8' });
  api = apiClient(test.url);
});
afterAll(async () => test?.stop());

describe('rate limits', () => {
  it('answers 429 with Retry-After once a key spends its budget, and counts per tenant across keys', async () => {
    const tenant = await createTestTenant(api);
    const first = await Promise.all(
      Array.from({ length: 12 }, () => api.call('GET', '/v1/jobs', { key: tenant.testKey })),
    );
    const limited = first.filter((r) => r.status === 429);
    expect(limited.length, first.map((r) => r.status).join(',')).toBeGreaterThanOrEqual(2);
    const one = limited[0]!;
    expect(one.body, describeResponse(one)).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(Number(one.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(one.headers.get('ratelimit-remaining')).toBe('0');
  });
});
