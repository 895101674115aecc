/**
 * Viva delivers at least once: after a timeout, a crash on either side or a manual retry, the same event
 * arrives again with the same `webhook-id`. This remembers the ids being or already handled.
 *
 * In memory, so it forgets on restart and is not shared between processes: fine for an example. In
 * production, insert the `webhook-id` into a table with a unique constraint, in the same transaction as
 * the changes the event causes; a unique violation then means "already handled", across restarts and
 * any number of receiver processes.
 */
export class WebhookIdSet {
  // A Map iterates in insertion order, so the oldest entries are always first.
  readonly #seenAt = new Map<string, number>();
  readonly #maxSize: number;
  readonly #ttlMs: number;

  /**
   * The defaults outlast Viva's retry schedule (8 attempts over about 28 hours) with room to spare; the
   * size bound keeps a flood of distinct ids from growing memory without limit.
   */
  constructor({ maxSize = 10_000, ttlMs = 48 * 60 * 60 * 1000 }: { maxSize?: number; ttlMs?: number } = {}) {
    this.#maxSize = maxSize;
    this.#ttlMs = ttlMs;
  }

  /**
   * Claims `id` for handling: true the first time, false while it is remembered. Claiming before handling,
   * not after, also stops two concurrent deliveries of one event from both being handled.
   */
  claim(id: string, now: number = Date.now()): boolean {
    this.#forgetExpired(now);
    if (this.#seenAt.has(id)) return false;
    this.#seenAt.set(id, now);
    if (this.#seenAt.size > this.#maxSize) this.#seenAt.delete(this.#seenAt.keys().next().value!);
    return true;
  }

  /** Forgets a claim whose handling failed, so that Viva's retry is handled rather than dropped. */
  release(id: string): void {
    this.#seenAt.delete(id);
  }

  #forgetExpired(now: number): void {
    for (const [id, seenAt] of this.#seenAt) {
      if (now - seenAt < this.#ttlMs) return;
      this.#seenAt.delete(id);
    }
  }
}
