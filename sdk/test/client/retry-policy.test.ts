import { expect } from '@open-wc/testing';
import { backoffDelay, isRetryableStatus, retryAfterMs } from '../../src/client/retry-policy.ts';

describe('retry policy', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 4000 };

  it('backs off exponentially, with half of each wait random, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, policy, () => 0))).to.deep.equal([
      250, 500, 1000, 2000, 2000,
    ]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, policy, () => 1))).to.deep.equal([
      500, 1000, 2000, 4000, 4000,
    ]);
  });

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-11-22T23:00:00Z');
    expect(retryAfterMs('2', now)).to.equal(2000);
    expect(retryAfterMs('Sun, 22 Nov 2026 23:00:05 GMT', now)).to.equal(5000);
    expect(retryAfterMs('Sun, 22 Nov 2026 22:00:00 GMT', now), 'a date in the past: now').to.equal(0);
    expect(retryAfterMs(null, now)).to.equal(null);
    expect(retryAfterMs('soon', now)).to.equal(null);
  });

  it('retries timeouts, 429 and 5xx, and nothing else', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).to.equal(true);
    expect([400, 401, 403, 404, 409, 413, 415, 422].some(isRetryableStatus)).to.equal(false);
  });
});
