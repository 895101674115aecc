import { expect } from '@open-wc/testing';
import { backoffDelay, isRetryableStatus, retryAfterMs, retryDelay } from '../../src/client/retry-policy.ts';

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

  it('waits as long as the server asks, longer as failures go on, and never past the cap', () => {
    const fixed = () => 0;
    expect(retryDelay(1, policy, null, fixed), 'nothing asked: the backoff').to.equal(250);
    expect(retryDelay(1, policy, 3000, fixed), 'asked for more than the backoff').to.equal(3000);
    expect(retryDelay(4, policy, 100, fixed), 'asked for less than the backoff').to.equal(2000);
    expect(retryDelay(1, policy, 3_600_000, fixed), 'a proxy asking for an hour').to.equal(4000);
  });

  it('spreads the waits above what the server asked, so widgets dropped together come back apart', () => {
    // The event stream's policy, and its `retry: 3000`: every widget asks the same after a deploy.
    const stream = { maxAttempts: 12, baseDelayMs: 1000, maxDelayMs: 10_000 };
    for (const retry of [1, 2]) {
      const waits = Array.from({ length: 1000 }, () => retryDelay(retry, stream, 3000));
      const [least, most] = [Math.min(...waits), Math.max(...waits)];
      expect(least, `retry ${retry}: never sooner than asked`).to.be.at.least(3000);
      expect(most - least, `retry ${retry}: from ${least} to ${most} ms`).to.be.at.least(1000);
      expect(most, `retry ${retry}: never past the cap`).to.be.at.most(10_000);
    }
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
