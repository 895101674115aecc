/**
 * When to try a request again, and after how long. Pure functions, so the schedule is testable without
 * waiting for it.
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The delay before the first retry; it doubles with each further one. */
  baseDelayMs: number;
  /** No wait between two attempts is longer than this, whatever the schedule or the server says. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

/**
 * The wait before retry number `retry` (1 for the first retry): exponential, with "equal jitter" (half fixed,
 * half random), so that the widgets of many candidates dropped by the same outage do not come back in step.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/**
 * The wait before retry number `retry` when the server asked for `askedMs` (a `Retry-After`, or an event
 * stream's `retry:`): never sooner than it asked, nor than the backoff; never longer than `maxDelayMs`, so a
 * proxy's `Retry-After: 3600` cannot leave a candidate on "Reconnecting…" for an hour.
 *
 * What the server asks is the same for every client, and a deploy ends every stream at once: a wait of
 * exactly what it asked would bring them all back in the same instant. Up to half as much again, at random,
 * spreads them out above it.
 */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  askedMs: number | null,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelay(retry, policy, random);
  if (askedMs === null || askedMs <= backoff) return Math.min(policy.maxDelayMs, backoff);
  return Math.min(policy.maxDelayMs, Math.round(askedMs + (random() * askedMs) / 2));
}

/**
 * A `Retry-After` header as milliseconds: delta-seconds or an HTTP date (RFC 9110, section 10.2.3); null
 * when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * Statuses worth another try: a timeout, too many requests, and server failures. A 4xx otherwise says the
 * request itself is wrong, and sending it again cannot help.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
