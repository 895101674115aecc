import { describe, expect, it } from 'vitest';
import { maxAttempts, nextAttemptDelayMs } from '../../src/webhooks/retry-schedule.ts';

const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;
const schedule = [5 * second, 5 * minute, 30 * minute, 2 * hour, 5 * hour, 10 * hour, 10 * hour];
const low = () => 0;
const high = () => 1;
const middle = () => 0.5;

describe('retry schedule', () => {
  it('makes 8 attempts in all', () => {
    expect(maxAttempts).toBe(8);
  });

  it("follows Svix's schedule without jitter at the midpoint", () => {
    expect(schedule.map((_, i) => nextAttemptDelayMs(i + 1, null, middle))).toEqual(schedule);
  });

  it('jitters each wait by at most 20 % either way', () => {
    expect(schedule.map((_, i) => nextAttemptDelayMs(i + 1, null, low))).toEqual(
      schedule.map((d) => d * 0.8),
    );
    expect(schedule.map((_, i) => nextAttemptDelayMs(i + 1, null, high))).toEqual(
      schedule.map((d) => d * 1.2),
    );
  });

  it('spans about 28 hours from first to last attempt', () => {
    const total = schedule.reduce((sum, _, i) => sum + nextAttemptDelayMs(i + 1, null, middle)!, 0);
    expect(total / hour).toBeCloseTo(27.585, 2);
  });

  it('leaves nothing after the 8th attempt', () => {
    expect(nextAttemptDelayMs(8, null)).toBeNull();
    expect(nextAttemptDelayMs(9, 60)).toBeNull();
  });

  it('sends the first attempt at once', () => {
    expect(nextAttemptDelayMs(0, null)).toBe(0);
  });

  it('waits longer when Retry-After asks for more than the schedule', () => {
    // After attempt 1 the schedule says 5 s; the receiver asks for 10 minutes.
    expect(nextAttemptDelayMs(1, 600, low)).toBe(10 * minute);
    // Jitter only ever adds to what the receiver asked.
    expect(nextAttemptDelayMs(1, 600, high)).toBe(12 * minute);
  });

  it('keeps the schedule when Retry-After asks for less', () => {
    // After attempt 3 the schedule says 30 minutes; "Retry-After: 1" must not burn the remaining attempts.
    expect(nextAttemptDelayMs(3, 1, middle)).toBe(30 * minute);
    expect(nextAttemptDelayMs(1, 0, middle)).toBe(5 * second);
  });

  it('caps Retry-After at 24 hours', () => {
    expect(nextAttemptDelayMs(1, 365 * 24 * 3600, low)).toBe(24 * hour);
    expect(nextAttemptDelayMs(1, 365 * 24 * 3600, high)).toBe(24 * hour);
    expect(nextAttemptDelayMs(7, 23 * 3600, high)).toBe(24 * hour);
  });

  it('is never shorter than the schedule nor longer than 24 hours, whatever the inputs', () => {
    for (let attempt = 1; attempt < maxAttempts; attempt++) {
      for (const retryAfter of [null, 0, 1, 30, 3600, 86_400, 10 ** 9]) {
        for (const random of [low, middle, high]) {
          const delay = nextAttemptDelayMs(attempt, retryAfter, random)!;
          expect(delay).toBeGreaterThanOrEqual(schedule[attempt - 1]! * 0.8);
          expect(delay).toBeLessThanOrEqual(Math.max(24 * hour, schedule[attempt - 1]! * 1.2));
        }
      }
    }
  });
});
