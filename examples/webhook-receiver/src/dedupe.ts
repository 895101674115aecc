/** Where a `webhook-id` stands: never seen, being handled right now, or handled. */
export type WebhookIdState = 'new' | 'in_progress' | 'done';

/**
 * Viva delivers at least once: after a timeout, a crash on either side or a manual retry, the same event
 * arrives again with the same `webhook-id`. This remembers the ids being handled and those handled.
 *
 * The two are kept apart because they call for opposite answers. A repeat of a handled id is acknowledged
 * (`200`): handling it again would do the work twice. A repeat of an id still being handled must not be:
 * if that handling then fails, Viva would have recorded the repeat as delivered and never send the event
 * again.
 *
 * In memory, so it forgets on restart and is not shared between processes: fine for an example. In
 * production, insert the `webhook-id` into a table with a unique constraint, in the same transaction as
 * the changes the event causes; a unique violation then means "already handled", across restarts and
 * any number of receiver processes; and the insert of a repeat that comes while the first delivery is still
 * being handled waits for that transaction to end instead of being acknowledged early.
 */
export class WebhookIdSet {
  // A Map iterates in insertion order, so the oldest entries are always first.
  readonly #ids = new Map<string, { claimedAt: number; done: boolean }>();
  readonly #maxSize: number;
  readonly #ttlMs: number;

  /**
   * The defaults outlast Viva's automatic retries (8 attempts over about 28 hours) with room to spare; the
   * size bound keeps a flood of distinct ids from growing memory without limit. A manual retry (of an
   * event up to 90 days old) or a recovery (up to 14 days back) can send an id again after it was forgotten
   * here: the durable table described above remembers it for as long as you keep the rows.
   */
  constructor({ maxSize = 10_000, ttlMs = 48 * 60 * 60 * 1000 }: { maxSize?: number; ttlMs?: number } = {}) {
    this.#maxSize = maxSize;
    this.#ttlMs = ttlMs;
  }

  /**
   * Claims `id` for handling when it is new, and says where it stood: `new` (now claimed: handle it),
   * `in_progress` (another delivery of it is being handled) or `done`. Claiming before handling, not after,
   * keeps two concurrent deliveries of one event from both being handled.
   */
  claim(id: string, now: number = Date.now()): WebhookIdState {
    this.#forgetExpired(now);
    const known = this.#ids.get(id);
    if (known) return known.done ? 'done' : 'in_progress';
    this.#ids.set(id, { claimedAt: now, done: false });
    if (this.#ids.size > this.#maxSize) this.#ids.delete(this.#ids.keys().next().value!);
    return 'new';
  }

  /** Records that the claimed id was handled: its repeats are acknowledged from now on. */
  done(id: string): void {
    const known = this.#ids.get(id);
    if (known) known.done = true;
  }

  /** Forgets a claim whose handling failed, so that Viva's retry is handled rather than dropped. */
  release(id: string): void {
    this.#ids.delete(id);
  }

  #forgetExpired(now: number): void {
    for (const [id, { claimedAt }] of this.#ids) {
      if (now - claimedAt < this.#ttlMs) return;
      this.#ids.delete(id);
    }
  }
}
