import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failuresOverall, failuresPerAddress } from '../../src/admin/admin-auth.ts';
import { type ApiClient, type ApiResponse, apiClient, describeResponse } from '../support/api.ts';
import { adminKey, logCapture, startTestPlatform, type TestPlatform } from '../support/harness.ts';

/**
 * Guessing the operator key. The platform trusts `X-Forwarded-For` (it runs behind a load balancer), so each
 * test speaks from addresses of its own, and the order of the tests matters: the last one uses up the budget
 * every address shares.
 */
const { lines, sink } = logCapture();
let test: TestPlatform;
let api: ApiClient;

beforeAll(async () => {
  test = await startTestPlatform({ LOG_LEVEL: 'warn' }, { logDestination: sink });
  api = apiClient(test.url);
});
afterAll(async () => test?.stop());

const wrongKey = 'guessed-operator-key-0123456789';
const listTenants = (key: string | null, from: string): Promise<ApiResponse> =>
  api.call('GET', '/admin/v1/tenants', { key, headers: { 'x-forwarded-for': from } });

describe('the operator API', () => {
  it('refuses an address with 429 after its wrong keys, the right key included, and logs the failures without the key', async () => {
    const from = '203.0.113.7';
    for (let attempt = 1; attempt <= failuresPerAddress; attempt++) {
      const res = await listTenants(`${wrongKey}-${attempt}`, from);
      expect(res.status, `attempt ${attempt}: ${describeResponse(res)}`).toBe(401);
      expect(res.body).toMatchObject({ code: 'unauthenticated' });
    }
    for (const key of [`${wrongKey}-more`, adminKey]) {
      const res = await listTenants(key, from);
      expect(res.status, describeResponse(res)).toBe(429);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body, describeResponse(res)).toMatchObject({ code: 'rate_limited', status: 429 });
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter, describeResponse(res)).toBeGreaterThanOrEqual(1);
      expect(retryAfter, describeResponse(res)).toBeLessThanOrEqual(60);
    }

    // Another address is not held back by this one's failures.
    const elsewhere = await listTenants(adminKey, '198.51.100.20');
    expect(elsewhere.status, describeResponse(elsewhere)).toBe(200);

    const failures = lines.filter((line) => line.includes('wrong operator key'));
    expect(failures.length, lines.join('\n')).toBe(failuresPerAddress);
    for (const line of failures) {
      const logged = JSON.parse(line) as Record<string, unknown>;
      expect(logged, line).toMatchObject({ level: 40, ip: from });
      expect(line).not.toContain(wrongKey);
    }
  });

  it('does not count a request that sends no key as a guess', async () => {
    const from = '203.0.113.8';
    for (let attempt = 0; attempt <= failuresPerAddress; attempt++) {
      const res = await listTenants(null, from);
      expect(res.status, describeResponse(res)).toBe(401);
    }
    expect((await listTenants(adminKey, from)).status).toBe(200);
  });

  it('refuses everyone once wrong keys from all addresses together pass the overall budget', async () => {
    // The first test's failures count too: send wrong keys from fresh addresses until the budget is spent.
    let refused: ApiResponse | null = null;
    for (let attempt = 0; attempt <= failuresOverall && !refused; attempt++) {
      const res = await listTenants(wrongKey, `192.0.2.${attempt}`);
      if (res.status === 429) refused = res;
      else expect(res.status, describeResponse(res)).toBe(401);
    }
    expect(refused, 'no 429 after the overall budget of wrong keys').not.toBeNull();
    const operator = await listTenants(adminKey, '198.51.100.21');
    expect(operator.status, describeResponse(operator)).toBe(429);
    expect(operator.body).toMatchObject({ code: 'rate_limited' });
  });
});
