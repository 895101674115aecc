import { describe, expect, it } from 'vitest';
import { maxRetryDelayMs, retryDelayMs } from '../../src/scoring/scoring-worker.ts';

/**
 * The wait before a scoring run is tried again. The jitter is real randomness, so each property is checked
 * over many draws: enough that a schedule breaking it would show, and that one honouring it cannot fail
 * by chance (a band edge unreached in 2,000 uniform draws has odds below 1e-40).
 */
const draws = 2_000;
const sample = (baseMs: number, attempt: number) =>
  Array.from({ length: draws }, () => retryDelayMs(baseMs, attempt));

describe('retryDelayMs', () => {
  it('waits the base after the first failed attempt, then four times longer after each, ±20 %', () => {
    const base = 1_000;
    for (const attempt of [1, 2, 3, 4, 5]) {
      const nominal = base * 4 ** (attempt - 1);
      const delays = sample(base, attempt);
      expect(Math.min(...delays), `attempt ${attempt}`).toBeGreaterThanOrEqual(nominal * 0.8);
      expect(Math.max(...delays), `attempt ${attempt}`).toBeLessThanOrEqual(nominal * 1.2);
    }
  });

  it('spreads the delays over the whole band, centred on the nominal delay', () => {
    const nominal = 16_000;
    const delays = sample(1_000, 3);
    // Near both edges: the jitter spans ±20 %, not a narrower band or one side of it.
    expect(Math.min(...delays)).toBeLessThan(nominal * 0.82);
    expect(Math.max(...delays)).toBeGreaterThan(nominal * 1.18);
    const mean = delays.reduce((sum, d) => sum + d, 0) / delays.length;
    expect(mean / nominal).toBeCloseTo(1, 1);
    // Workers retrying together are spread out, not bunched on a few values.
    expect(new Set(delays).size).toBeGreaterThan(draws / 2);
  });

  it('never lets a later retry come sooner than an earlier one, whatever the jitter', () => {
    // 1.2 × one step is less than 0.8 × the next (4 × 0.8 = 3.2): the bands never overlap.
    for (const attempt of [1, 2, 3, 4]) {
      expect(Math.max(...sample(500, attempt))).toBeLessThan(Math.min(...sample(500, attempt + 1)));
    }
  });

  it('is whole milliseconds', () => {
    for (const attempt of [1, 2, 3]) {
      for (const delay of sample(37, attempt)) expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it('waits about 30 s, 2 min and 8 min between the default four attempts', () => {
    const seconds = (attempt: number) => sample(30_000, attempt).map((d) => d / 1000);
    const bands = [
      [24, 36],
      [96, 144],
      [384, 576],
    ];
    for (const [index, [low, high]] of bands.entries()) {
      const delays = seconds(index + 1);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(low!);
      expect(Math.max(...delays)).toBeLessThanOrEqual(high!);
    }
  });

  it('retries at once when the base is zero', () => {
    expect(new Set([1, 2, 3].flatMap((attempt) => sample(0, attempt)))).toEqual(new Set([0]));
  });
});

describe('retryDelayMs at the limits of the settings', () => {
  it('waits at most a day (±20 %), so even 20 attempts from an hour give a real date', () => {
    for (const attempt of [6, 12, 19, 20]) {
      for (const delay of sample(3_600_000, attempt)) {
        expect(delay).toBeGreaterThanOrEqual(maxRetryDelayMs * 0.8);
        expect(delay).toBeLessThanOrEqual(maxRetryDelayMs * 1.2);
        expect(Number.isNaN(new Date(Date.now() + delay).getTime())).toBe(false);
      }
    }
  });
});
