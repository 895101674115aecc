import type { Redis } from 'ioredis';
import { DeliveryQueue } from './delivery-queue.ts';
import { beforeFirstId, nextEventId, parseEventId } from './event-ids.ts';
import { decodeEntry, eventField, RedisStreamReader } from './redis-stream-reader.ts';
import type { DeliveredEvent, SessionEvent, SessionEventBus } from './session-events.ts';

export interface RedisEventBusOptions {
  /** Streams are named `<keyPrefix><interviewId>`. */
  keyPrefix?: string;
  /** Events kept per interview (approximately: with `MAXLEN ~` Redis trims whole nodes, so a few more). */
  maxLength?: number;
  /** A stream expires this long after its last event, so finished interviews don't linger. */
  ttlSeconds?: number;
  /** The longest the shared live read blocks before it is re-issued anyway. */
  blockMs?: number;
  /** Where reader errors go; by default to the given client's `error` listeners, which platform.ts logs. */
  onError?: (error: unknown) => void;
}

const replayPageSize = 200;

/**
 * Session events over Redis Streams (one per interview), so the instance streaming to a candidate needn't
 * be the one running the interviewer. A subscription replays with XRANGE on the given client, then joins
 * the bus's one shared live reader (see RedisStreamReader) at the last id it replayed.
 */
export class RedisEventBus implements SessionEventBus {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #maxLength: number;
  readonly #ttlSeconds: number;
  readonly #reader: RedisStreamReader;
  #closed = false;

  constructor(redis: Redis, options: RedisEventBusOptions = {}) {
    this.#redis = redis;
    this.#keyPrefix = options.keyPrefix ?? 'viva:session:';
    this.#maxLength = options.maxLength ?? 2000;
    this.#ttlSeconds = options.ttlSeconds ?? 24 * 60 * 60;
    const onError =
      options.onError ??
      ((error: unknown) => {
        if (redis.listenerCount('error') > 0) redis.emit('error', error);
      });
    this.#reader = new RedisStreamReader(redis, options.blockMs ?? 1000, onError);
  }

  /** Open live subscriptions, for metrics and for tests that check a disconnect released its subscription. */
  get subscriberCount(): number {
    return this.#reader.subscriberCount;
  }

  async publish(interviewId: string, event: SessionEvent): Promise<string> {
    const key = this.#keyPrefix + interviewId;
    const results = await this.#redis
      .multi()
      .xadd(key, 'MAXLEN', '~', this.#maxLength, '*', eventField, JSON.stringify(event))
      .expire(key, this.#ttlSeconds)
      .exec();
    const [error, id] = results?.[0] ?? [new Error('XADD got no reply'), null];
    if (error) throw error;
    if (typeof id !== 'string') throw new Error(`XADD replied ${JSON.stringify(id)}, not an id`);
    return id;
  }

  /** A malformed `afterId` counts as null (see parseEventId): the subscriber gets everything retained. */
  subscribe(interviewId: string, afterId: string | null, signal: AbortSignal): AsyncIterable<DeliveredEvent> {
    return this.#stream(this.#keyPrefix + interviewId, parseEventId(afterId) ?? beforeFirstId, signal);
  }

  async *#stream(key: string, afterId: string, signal: AbortSignal): AsyncGenerator<DeliveredEvent> {
    const queue = new DeliveryQueue(afterId);
    // Replay on the ordinary connection, page by page: XRANGE doesn't block, and a long replay must not
    // hold up the shared reader that everyone's live events come through.
    for (let start = nextEventId(afterId); start && !signal.aborted && !this.#closed; ) {
      const page = await this.#redis.xrange(key, start, '+', 'COUNT', replayPageSize);
      for (const [id, fields] of page) {
        if (signal.aborted) return;
        queue.skip(id);
        const event = decodeEntry(fields);
        if (event) yield { id, event };
      }
      start = page.length === replayPageSize ? nextEventId(queue.cursor) : null;
    }
    if (signal.aborted || this.#closed) return;
    // The reader reads on from the queue's cursor, so replay and live meet with no gap and no overlap.
    this.#reader.add(key, queue);
    // Unregister on abort itself, not only when the consumer next pulls: a stalled consumer still lets go.
    const release = () => this.#reader.remove(key, queue);
    signal.addEventListener('abort', release, { once: true });
    try {
      yield* queue.drain(signal);
    } finally {
      signal.removeEventListener('abort', release);
      release();
    }
  }

  /** Ends every subscription and closes the reader's connection; the client it was given stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#reader.close();
  }
}
