import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Tells every instance that a key's row changed (it was revoked, say), so an instance that remembers the key
 * reads its row again before trusting it once more. A change is filed under the key's lookup, the part of
 * the secret a request knows before it reads anything: an instance reads the mark first and the row second,
 * so a change committed between the two still shows as a new mark on the next request.
 */
export interface KeyChanges {
  /** The key's current mark: any change to the key gives it a new one. */
  markOf(lookup: string): Promise<string>;
  /** Called once the change is committed, and before it is acknowledged to anyone. */
  changed(lookup: string): Promise<void>;
}

/**
 * How long a mark outlives its change: longer than any instance may remember a row read before the change
 * (SecretKeys forgets rows after seconds). A mark is a random value, not a counter, so one that expired can
 * never be mistaken for the one a row was read under.
 */
const markSeconds = 24 * 60 * 60;

export interface RedisKeyChangesOptions {
  /**
   * Where every request reads its key's mark: a connection that fails at once, or within a bound, when
   * Redis does not answer (SecretKeys then reads the row instead).
   */
  reads: Redis;
  /** Where a change is announced: a connection that rides out a blip, as a lost announcement costs more. */
  writes: Redis;
}

/** Marks in Redis, shared by every instance. */
export class RedisKeyChanges implements KeyChanges {
  readonly #reads: Redis;
  readonly #writes: Redis;

  constructor(options: RedisKeyChangesOptions) {
    this.#reads = options.reads;
    this.#writes = options.writes;
  }

  async markOf(lookup: string): Promise<string> {
    return (await this.#reads.get(markKey(lookup))) ?? '';
  }

  async changed(lookup: string): Promise<void> {
    await this.#writes.set(markKey(lookup), randomBytes(8).toString('hex'), 'EX', markSeconds);
  }
}

function markKey(lookup: string): string {
  return `viva:api-key-change:${lookup}`;
}

/**
 * One process on its own (no Redis): every change goes through it, so one counter for all keys is enough.
 * Changes are rare, and each only makes the process read its remembered keys' rows once more.
 */
export class MemoryKeyChanges implements KeyChanges {
  #generation = 0;

  async markOf(): Promise<string> {
    return String(this.#generation);
  }

  async changed(): Promise<void> {
    this.#generation += 1;
  }
}
