import type { Redis } from 'ioredis';
import { DeliveryQueue } from './delivery-queue.ts';
import { beforeFirstId, nextEventId, parseEventId } from './event-ids.ts';
import { decodeEntry, eventField, RedisStreamReader } from './redis-stream-reader.ts';
import {
  type DeliveredEvent,
  endsInterview,
  type SessionEvent,
  type SessionEventBus,
} from './session-events.ts';

export interface RedisEventBusOptions {
  /** Streams are named `<keyPrefix><interviewId>`. */
  keyPrefix?: string;
  /** Events kept per interview (approximately: with `MAXLEN ~` Redis trims whole nodes, so a few more). */
  maxLength?: number;
  /** A stream expires this long after its last event, so abandoned interviews don't linger. */
  ttlSeconds?: number;
  /**
   * A stream whose interview has ended (see endsInterview) expires this long after the event that ended it
   * instead, whatever comes later: it holds every reply's audio, and nobody can subscribe to it any more.
   */
  endedTtlSeconds?: number;
  /** The longest the shared live read blocks before it is re-issued anyway. */
  blockMs?: number;
  /** Where reader errors go; by default to the given client's `error` listeners, which platform.ts logs. */
  onError?: (error: unknown) => void;
}

const replayPageSize = 200;

/**
 * XADD and the stream's new expiry as one command. A MULTI of the two costs four commands and, in ioredis,
 * a pipeline object per event; a reply publishes a dozen events or more.
 *
 * ARGV: max length, field, value, the live expiry, the ended expiry, and '1' when this event ends the
 * interview. An ended stream keeps its short expiry: a straggler after the end (a late transcript) must not
 * keep every reply's audio for another day. Only an ended stream has so little time left, as each event of
 * a live one sets the longer expiry.
 */
const appendScript = `
local live, ended = tonumber(ARGV[4]), tonumber(ARGV[5])
local left = redis.call('ttl', KEYS[1])
local id = redis.call('xadd', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', ARGV[2], ARGV[3])
if ARGV[6] == '1' then
  redis.call('expire', KEYS[1], ended)
elseif not (live > ended and left >= 0 and left <= ended) then
  redis.call('expire', KEYS[1], live)
end
return id
`;

type Append = (
  key: string,
  maxLength: number,
  field: string,
  value: string,
  ttlSeconds: number,
  endedTtlSeconds: number,
  ends: '1' | '0',
) => Promise<unknown>;

/**
 * The most interview streams one shared live read names. Redis does work for every stream an XREAD names
 * (on a 2-core machine about 0.2 ms a read for 100 streams, 4 ms for 1,000) and the read is re-issued
 * whenever any of them gets an event, so past this many another reader, on its own connection, takes the
 * next streams: a thousand live interviews cost ten connections, and each event one read of 100 streams.
 */
const streamsPerReader = 100;

/**
 * Session events over Redis Streams (one per interview), so the instance streaming to a candidate needn't
 * be the one running the interviewer. A subscription replays with XRANGE on the given client, then joins
 * a shared live reader (see RedisStreamReader) at the last id it replayed: the bus's first, until that one
 * reads `streamsPerReader` streams.
 */
export class RedisEventBus implements SessionEventBus {
  readonly #redis: Redis;
  readonly #append: Append;
  readonly #keyPrefix: string;
  readonly #maxLength: number;
  readonly #ttlSeconds: number;
  readonly #endedTtlSeconds: number;
  readonly #blockMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #readers: RedisStreamReader[] = [];
  /** The reader of each stream with live subscribers: all of a stream's subscribers share one. */
  readonly #readerOf = new Map<string, RedisStreamReader>();
  #closed = false;

  constructor(redis: Redis, options: RedisEventBusOptions = {}) {
    this.#redis = redis;
    redis.defineCommand('vivaAppendSessionEvent', { numberOfKeys: 1, lua: appendScript });
    this.#append = (redis as unknown as { vivaAppendSessionEvent: Append }).vivaAppendSessionEvent.bind(
      redis,
    );
    this.#keyPrefix = options.keyPrefix ?? 'viva:session:';
    this.#maxLength = options.maxLength ?? 2000;
    this.#ttlSeconds = options.ttlSeconds ?? 24 * 60 * 60;
    this.#endedTtlSeconds = options.endedTtlSeconds ?? 5 * 60;
    this.#blockMs = options.blockMs ?? 1000;
    this.#onError =
      options.onError ??
      ((error: unknown) => {
        if (redis.listenerCount('error') > 0) redis.emit('error', error);
      });
  }

  /** Open live subscriptions, for metrics and for tests that check a disconnect released its subscription. */
  get subscriberCount(): number {
    return this.#readers.reduce((count, reader) => count + reader.subscriberCount, 0);
  }

  async publish(interviewId: string, event: SessionEvent): Promise<string> {
    const key = this.#keyPrefix + interviewId;
    const id = await this.#append(
      key,
      this.#maxLength,
      eventField,
      JSON.stringify(event),
      this.#ttlSeconds,
      this.#endedTtlSeconds,
      endsInterview(event) ? '1' : '0',
    );
    if (typeof id !== 'string') throw new Error(`XADD replied ${JSON.stringify(id)}, not an id`);
    return id;
  }

  async lastId(interviewId: string): Promise<string | null> {
    const [latest] = await this.#redis.xrevrange(this.#keyPrefix + interviewId, '+', '-', 'COUNT', 1);
    return latest?.[0] ?? null;
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
    const reader = this.#readerFor(key);
    reader.add(key, queue);
    // Unregister on abort itself, not only when the consumer next pulls: a stalled consumer still lets go.
    const release = () => {
      reader.remove(key, queue);
      if (!reader.reads(key) && this.#readerOf.get(key) === reader) this.#readerOf.delete(key);
    };
    signal.addEventListener('abort', release, { once: true });
    try {
      yield* queue.drain(signal);
    } finally {
      signal.removeEventListener('abort', release);
      release();
    }
  }

  /** The reader already reading `key`, else the first with room, else a new one. */
  #readerFor(key: string): RedisStreamReader {
    let reader = this.#readerOf.get(key) ?? this.#readers.find((r) => r.streamCount < streamsPerReader);
    if (!reader) {
      reader = new RedisStreamReader(this.#redis, this.#blockMs, this.#onError);
      this.#readers.push(reader);
    }
    this.#readerOf.set(key, reader);
    return reader;
  }

  /** Ends every subscription and closes the readers' connections; the client it was given stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#readers.map((reader) => reader.close()));
  }
}
