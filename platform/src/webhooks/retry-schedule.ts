/**
 * When a failed delivery is tried again: Svix's schedule, which integrators already know. The first attempt
 * is immediate; these are the waits before attempts 2 to 8, about 27.6 hours in all.
 */
const retryDelaysMs = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export const maxAttempts = retryDelaysMs.length + 1;

/** Each wait varies by up to this fraction either way, so deliveries that failed together spread out. */
const jitter = 0.2;

/**
 * The longest a receiver's Retry-After can push an attempt back. Longer than any step of the schedule,
 * short enough that a mistaken "Retry-After: 31536000" cannot park a delivery for a year.
 */
const maxRetryAfterMs = 24 * 3_600_000;

/**
 * How long to wait before the next attempt, after `attemptsMade` attempts that all failed; `null` when
 * none is left.
 *
 * A Retry-After (from a 429 or 503) is a floor, never a shortcut: the wait is the longer of the schedule's
 * and the receiver's, and the receiver's is capped at `maxRetryAfterMs`. A receiver that asks for more
 * time gets it; one that answers "Retry-After: 1" while it is down would otherwise burn every remaining
 * attempt within seconds and lose the event. The receiver's wait gets only upward jitter, so no attempt
 * comes before it asked, yet a burst it throttled does not come back all in the same second.
 */
export function nextAttemptDelayMs(
  attemptsMade: number,
  retryAfterSeconds: number | null,
  random: () => number = Math.random,
): number | null {
  if (attemptsMade >= maxAttempts) return null;
  if (attemptsMade < 1) return 0;
  const base = retryDelaysMs[attemptsMade - 1]!;
  const r = random();
  const scheduled = Math.round(base * (1 - jitter + 2 * jitter * r));
  if (retryAfterSeconds === null || !(retryAfterSeconds > 0)) return scheduled;
  const asked = Math.min(retryAfterSeconds * 1000 * (1 + jitter * r), maxRetryAfterMs);
  return Math.max(scheduled, Math.round(asked));
}
