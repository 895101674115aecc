import { compareIds } from './event-ids.ts';
import type { DeliveredEvent } from './session-events.ts';

/**
 * One subscriber's pending events: the bus pushes as events arrive, the subscriber's iterator pulls. It
 * remembers the last id handed over so a bus may offer the same event twice (a replay overlapping a live
 * read, a read shared with a subscriber further behind) and the subscriber still sees each event once, in
 * order.
 */
export class DeliveryQueue {
  #cursor: string;
  #items: DeliveredEvent[] = [];
  #wake: (() => void) | null = null;
  #ended = false;

  constructor(afterId: string) {
    this.#cursor = afterId;
  }

  /** The id of the newest event accepted or skipped; events at or before it are dropped. */
  get cursor(): string {
    return this.#cursor;
  }

  /** Queues `delivered` unless the subscriber already has it. */
  offer(delivered: DeliveredEvent): void {
    if (compareIds(delivered.id, this.#cursor) <= 0) return;
    this.#cursor = delivered.id;
    this.#items.push(delivered);
    this.#wake?.();
  }

  /** Moves past an id without queueing anything: an entry with no usable event, or one delivered directly. */
  skip(id: string): void {
    if (compareIds(id, this.#cursor) > 0) this.#cursor = id;
  }

  /** Ends the subscription as an abort would (the bus is closing). */
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** Yields queued and future events until `signal` aborts; an abort also ends a pending wait at once. */
  async *drain(signal: AbortSignal): AsyncGenerator<DeliveredEvent> {
    const onAbort = () => this.#wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted && !this.#ended) {
        const next = this.#items.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = null;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#items = [];
    }
  }
}
