import { DeliveryQueue } from './delivery-queue.ts';
import { beforeFirstId, parseEventId } from './event-ids.ts';
import {
  type DeliveredEvent,
  endsInterview,
  type SessionEvent,
  type SessionEventBus,
} from './session-events.ts';

export interface MemoryEventBusOptions {
  /** Events kept per interview for replay; the same default as the Redis bus, so both behave alike. */
  maxLength?: number;
  /** An interview with no event and no subscriber for this long is forgotten, bounding memory. */
  idleMs?: number;
  /** The same for an interview that has ended (see endsInterview), from its end, as the Redis bus's `endedTtlSeconds`. */
  endedIdleMs?: number;
}

interface InterviewStream {
  /** Oldest first; at most `maxLength` long. */
  events: DeliveredEvent[];
  subscribers: Set<DeliveryQueue>;
  lastActiveAt: number;
  /** An event of it ended the interview: no later event changes that. */
  ended: boolean;
}

/**
 * The in-process bus of a single instance (no `REDIS_URL`): the same contract as the Redis bus, including
 * Redis-shaped ids, so the embedded default behaves like production.
 */
export class MemoryEventBus implements SessionEventBus {
  readonly #maxLength: number;
  readonly #idleMs: number;
  readonly #endedIdleMs: number;
  readonly #streams = new Map<string, InterviewStream>();
  readonly #sweeper: NodeJS.Timeout;
  #lastMs = 0;
  #lastSeq = 0;

  constructor(options: MemoryEventBusOptions = {}) {
    this.#maxLength = options.maxLength ?? 2000;
    this.#idleMs = options.idleMs ?? 24 * 60 * 60 * 1000;
    this.#endedIdleMs = options.endedIdleMs ?? 5 * 60 * 1000;
    this.#sweeper = setInterval(
      () => this.#sweep(),
      Math.min(this.#idleMs, this.#endedIdleMs, 10 * 60 * 1000),
    );
    this.#sweeper.unref();
  }

  /** Open subscriptions, for metrics and for tests that check a disconnect released its subscription. */
  get subscriberCount(): number {
    let count = 0;
    for (const stream of this.#streams.values()) count += stream.subscribers.size;
    return count;
  }

  async publish(interviewId: string, event: SessionEvent): Promise<string> {
    const stream = this.#streamOf(interviewId);
    const delivered = { id: this.#nextId(), event };
    stream.events.push(delivered);
    // Retention is small (thousands), so shifting the array costs less than the bookkeeping of a ring.
    if (stream.events.length > this.#maxLength) stream.events.shift();
    // As on Redis, an ended stream goes `endedIdleMs` after its end: a straggler after it does not keep it.
    if (!stream.ended) stream.lastActiveAt = Date.now();
    stream.ended ||= endsInterview(event);
    for (const queue of stream.subscribers) queue.offer(delivered);
    return delivered.id;
  }

  async lastId(interviewId: string): Promise<string | null> {
    return this.#streams.get(interviewId)?.events.at(-1)?.id ?? null;
  }

  subscribe(interviewId: string, afterId: string | null, signal: AbortSignal): AsyncIterable<DeliveredEvent> {
    return this.#stream(interviewId, parseEventId(afterId) ?? beforeFirstId, signal);
  }

  async *#stream(interviewId: string, afterId: string, signal: AbortSignal): AsyncGenerator<DeliveredEvent> {
    if (signal.aborted) return;
    const stream = this.#streamOf(interviewId);
    const queue = new DeliveryQueue(afterId);
    // Replay and registration happen in one synchronous step, so no publish can fall between them.
    for (const delivered of stream.events) queue.offer(delivered);
    stream.subscribers.add(queue);
    // Unregister on abort itself, not only when the consumer next pulls: a stalled consumer still lets go.
    const release = () => stream.subscribers.delete(queue);
    signal.addEventListener('abort', release, { once: true });
    try {
      yield* queue.drain(signal);
    } finally {
      signal.removeEventListener('abort', release);
      release();
      stream.lastActiveAt = Date.now();
    }
  }

  /** Stops the sweeper and ends every open subscription. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    for (const stream of this.#streams.values()) for (const queue of stream.subscribers) queue.end();
  }

  #streamOf(interviewId: string): InterviewStream {
    let stream = this.#streams.get(interviewId);
    if (!stream) {
      stream = { events: [], subscribers: new Set(), lastActiveAt: Date.now(), ended: false };
      this.#streams.set(interviewId, stream);
    }
    return stream;
  }

  /** Like Redis's `*`: the clock in ms, with a sequence for events in the same ms, never going backwards. */
  #nextId(): string {
    const now = Date.now();
    if (now > this.#lastMs) {
      this.#lastMs = now;
      this.#lastSeq = 0;
    } else {
      this.#lastSeq += 1;
    }
    return `${this.#lastMs}-${this.#lastSeq}`;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [interviewId, stream] of this.#streams) {
      const idleMs = stream.ended ? this.#endedIdleMs : this.#idleMs;
      if (stream.subscribers.size === 0 && stream.lastActiveAt <= now - idleMs)
        this.#streams.delete(interviewId);
    }
  }
}
