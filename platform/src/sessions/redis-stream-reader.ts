import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { DeliveryQueue } from './delivery-queue.ts';
import { compareIds } from './event-ids.ts';
import type { SessionEvent } from './session-events.ts';

/** The stream entry field that holds the event's JSON. */
export const eventField = 'event';

/** The event in an entry's fields, or null for an entry this bus didn't write (it is skipped, not fatal). */
export function decodeEntry(fields: string[]): SessionEvent | null {
  const at = fields.indexOf(eventField);
  try {
    return at >= 0 && at % 2 === 0 ? (JSON.parse(fields[at + 1] ?? '') as SessionEvent) : null;
  } catch {
    return null;
  }
}

type StreamEntry = [id: string, fields: string[]];

/** XREAD's reply as [key, entries] pairs, whether the client maps RESP3 maps to arrays or to objects. */
function streamsOf(reply: unknown): [string, StreamEntry[]][] {
  if (!reply) return [];
  if (Array.isArray(reply)) return reply as [string, StreamEntry[]][];
  return Object.entries(reply as Record<string, StreamEntry[]>);
}

/** The largest possible id, where the search for the oldest cursor starts. */
const lastId = '18446744073709551615-18446744073709551615';
/** Entries per stream per read: a subscriber far behind catches up over several reads. */
const readCount = 100;

/**
 * Live delivery for every subscription of one bus over one connection: a single `XREAD BLOCK` naming the
 * stream of each, re-issued when it returns. A blocking XREAD ties up its connection, so a connection per
 * subscriber would mean a thousand Redis connections for a thousand live interviews.
 *
 * A newcomer's stream must join the read in flight: `CLIENT UNBLOCK` cuts it short so it is re-issued at
 * once, and the BLOCK timeout bounds the wait where UNBLOCK is refused.
 */
export class RedisStreamReader {
  readonly #redis: Redis;
  readonly #blockMs: number;
  readonly #onError: (error: unknown) => void;
  /** Stream key → the queues of its open subscriptions. */
  readonly #subscribers = new Map<string, Set<DeliveryQueue>>();
  #connection: Redis | null = null;
  #connectionId: number | null = null;
  #loop: Promise<void> | null = null;
  /** Bumped when a subscription arrives; `#readGeneration` is its value when the read in flight was built. */
  #generation = 0;
  #readGeneration = 0;
  #reading = false;
  #unblocking = false;
  #unblockWorks = true;
  #wakeIdle: (() => void) | null = null;
  #endPause: (() => void) | null = null;
  #closed = false;

  constructor(redis: Redis, blockMs: number, onError: (error: unknown) => void) {
    this.#redis = redis;
    this.#blockMs = blockMs;
    this.#onError = onError;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const queues of this.#subscribers.values()) count += queues.size;
    return count;
  }

  /** Streams with live subscribers: how many the next read names. */
  get streamCount(): number {
    return this.#subscribers.size;
  }

  /** Whether `key` still has a live subscriber here. */
  reads(key: string): boolean {
    return this.#subscribers.has(key);
  }

  /** Delivers the stream's entries after `queue.cursor` to `queue` until `remove`. */
  add(key: string, queue: DeliveryQueue): void {
    if (this.#closed) {
      queue.end();
      return;
    }
    let queues = this.#subscribers.get(key);
    if (!queues) {
      queues = new Set();
      this.#subscribers.set(key, queues);
    }
    queues.add(queue);
    this.#generation += 1;
    // Started on first use: an instance that never streams opens no second connection.
    this.#loop ??= this.#readLoop();
    this.#wakeIdle?.();
    this.#unblock();
  }

  remove(key: string, queue: DeliveryQueue): void {
    const queues = this.#subscribers.get(key);
    queues?.delete(queue);
    // The read in flight may still name this stream; its entries then find no subscriber and are dropped.
    if (queues?.size === 0) this.#subscribers.delete(key);
  }

  /** Ends every subscription and closes the reader's connection. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const queues of this.#subscribers.values()) for (const queue of queues) queue.end();
    this.#subscribers.clear();
    this.#wakeIdle?.();
    this.#endPause?.();
    this.#connection?.disconnect();
    await this.#loop;
  }

  async #readLoop(): Promise<void> {
    // Named after the client it copies, so CLIENT LIST shows which instance a blocked reader belongs to.
    const connectionName = `${this.#redis.options.connectionName || 'viva'}:session-events`;
    const connection = this.#redis.duplicate({ connectionName });
    this.#connection = connection;
    connection.on('error', () => {}); // reported once per outage by the loop below, not per retry
    connection.on('close', () => {
      this.#connectionId = null; // a reconnected connection has a new client id
    });
    let failures = 0;
    while (!this.#closed) {
      if (this.#subscribers.size === 0) {
        await new Promise<void>((resolve) => {
          this.#wakeIdle = resolve;
        });
        this.#wakeIdle = null;
        continue;
      }
      try {
        this.#connectionId ??= await connection.client('ID');
        // Each stream is read from the oldest cursor among its subscribers (a newcomer's may lag the others');
        // the queues drop what a subscriber already has. Only subscribers known now get this read's entries:
        // one that arrives meanwhile may be further behind, and must get the entries in between first.
        // This runs for every read, over every live interview: a stream almost always has one subscriber,
        // whose cursor is the oldest without comparing anything.
        const snapshot = new Map<string, DeliveryQueue[]>();
        const keys: string[] = [];
        const cursors: string[] = [];
        for (const [key, queues] of this.#subscribers) {
          const readers = [...queues];
          snapshot.set(key, readers);
          keys.push(key);
          cursors.push(
            readers.length === 1
              ? readers[0]!.cursor
              : readers.reduce(
                  (oldest, { cursor }) => (compareIds(cursor, oldest) < 0 ? cursor : oldest),
                  lastId,
                ),
          );
        }
        const streams = [...keys, ...cursors];
        this.#readGeneration = this.#generation;
        this.#reading = true;
        const reply = await connection.xread(
          'COUNT',
          readCount,
          'BLOCK',
          this.#blockMs,
          'STREAMS',
          ...streams,
        );
        failures = 0;
        for (const [key, entries] of streamsOf(reply)) this.#dispatch(key, entries, snapshot.get(key) ?? []);
      } catch (error) {
        if (this.#closed) break;
        if (failures === 0) this.#onError(error);
        failures += 1;
        await this.#pause(Math.min(100 * 2 ** failures, 5000));
      } finally {
        this.#reading = false;
      }
    }
  }

  #dispatch(key: string, entries: StreamEntry[], queues: DeliveryQueue[]): void {
    const current = this.#subscribers.get(key);
    for (const [id, fields] of entries) {
      const event = decodeEntry(fields);
      for (const queue of queues) {
        if (!current?.has(queue)) continue;
        if (event) queue.offer({ id, event });
        else queue.skip(id);
      }
    }
  }

  /**
   * Cuts the blocking read short so it is re-issued with the newest subscriber's stream. The read travels
   * on another connection and may not have reached Redis yet (UNBLOCK then finds nothing to unblock), so
   * this retries briefly until the read in flight covers the newest subscriber.
   */
  #unblock(): void {
    if (this.#unblocking || !this.#unblockWorks) return;
    this.#unblocking = true;
    void (async () => {
      try {
        while (!this.#closed && this.#reading && this.#readGeneration < this.#generation) {
          if (this.#connectionId === null) break;
          await this.#redis.client('UNBLOCK', this.#connectionId);
          await delay(5);
        }
      } catch (error) {
        // A Redis that refuses CLIENT UNBLOCK (an ACL, a managed service) replies with an error code, and the
        // BLOCK timeout alone bounds a newcomer's wait from then on. A lost connection is no reason to stop.
        if (error instanceof Error && /^[A-Z]+ /.test(error.message)) {
          this.#unblockWorks = false;
          this.#onError(error);
        }
      } finally {
        this.#unblocking = false;
      }
    })();
  }

  /** A backoff that `close()` can cut short. */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#endPause = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.#endPause = null;
    });
  }
}
