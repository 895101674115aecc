import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  createTestTenant,
  describeResponse,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { openSession } from '../support/sessions.ts';

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

  it('refuses the tenant once its keys together pass its budget, though each key stays within its own', async () => {
    const tenant = await createTestTenant(api);
    const second = await api.call<{ secret: string }>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'second integration' },
    });
    expect(second.status, describeResponse(second)).toBe(201);
    const keys = [tenant.testKey, second.body.secret];
    // Each key sends its whole budget (5) at once and never more, so only the tenant's (8) can run out. A
    // budget is a one-second window from its first request: a burst that straddles two windows of the
    // tenant's budget may fit, so it is sent again, once every window has lapsed, until one is refused.
    let burst: ApiResponse[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      await sleep(1100);
      burst = await Promise.all(
        keys.flatMap((key) => Array.from({ length: 5 }, () => api.call('GET', '/v1/jobs', { key }))),
      );
      if (burst.some((r) => r.status === 429)) break;
    }
    const statuses = burst.map((r) => r.status);
    expect(
      statuses.every((s) => s === 200 || s === 429),
      statuses.join(','),
    ).toBe(true);
    const refused = burst.filter((r) => r.status === 429);
    expect(refused.length, statuses.join(',')).toBeGreaterThanOrEqual(1);
    for (const one of refused) {
      expect(one.headers.get('content-type')).toContain('application/problem+json');
      expect(one.body, describeResponse(one)).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(String(one.body.detail)).toContain('for this account');
      expect(Number(one.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(one.headers.get('ratelimit-limit')).toBe('8');
      expect(one.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(one.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    }
    for (const ok of burst.filter((r) => r.status === 200)) {
      expect(ok.headers.get('ratelimit-limit'), describeResponse(ok)).toMatch(/^[58]$/);
      expect(Number(ok.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
    }
  });

  it("counts candidates' session requests apart: tokens spending their budgets never get the integrator's key refused", async () => {
    const tenant = await createTestTenant(api);
    // Three interviews' tokens, each sending more than its interview's budget (5): together they use up the
    // tenant's pool for sessions (8) as well. The pool is a one-second window, so the burst, the key's call
    // and a last session request are sent again after every window has lapsed, until the last one shows the
    // pool still spent: then the key's call, sent in between, was made while candidates had used it all up.
    const tokens: string[] = [];
    for (let made = 0; made < 3; made++) {
      // Four requests each, one window apart, so the key's own budget (5) lets every one through.
      await sleep(1100);
      tokens.push((await openSession(api, tenant.testKey)).token);
    }
    let burst: ApiResponse[] = [];
    let integrator: ApiResponse | undefined;
    let after: ApiResponse | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      await sleep(1100);
      burst = await Promise.all(
        tokens.flatMap((token) =>
          Array.from({ length: 6 }, () => api.call('GET', '/v1/session', { key: token })),
        ),
      );
      integrator = await api.call('GET', '/v1/jobs', { key: tenant.testKey });
      after = await api.call('GET', '/v1/session', { key: tokens[0] });
      if (after.status === 429) break;
    }
    const statuses = burst.map((r) => r.status).join(',');
    const refusals = burst.filter((r) => r.status === 429).map((r) => String(r.body.detail));
    expect(
      refusals.some((detail) => detail.includes('for this interview session;')),
      statuses,
    ).toBe(true);
    expect(
      refusals.some((detail) => detail.includes("for this account's interview sessions;")),
      statuses,
    ).toBe(true);
    expect(after!.status, describeResponse(after!)).toBe(429);
    expect(integrator!.status, describeResponse(integrator!)).toBe(200);
    // Only the key's own request counts in its budgets: the key's 5, the tenant's 8 for API keys.
    expect(integrator!.headers.get('ratelimit-limit')).toBe('5');
    expect(integrator!.headers.get('ratelimit-remaining')).toBe('4');
  });
});
