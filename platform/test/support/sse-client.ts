export interface ReceivedEvent {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

/**
 * Reads a session's event stream as the widget does (fetch, Bearer token, Last-Event-ID) and keeps every
 * event, so a test can wait for the one it expects and then look at the whole sequence.
 */
export class SseClient {
  readonly events: ReceivedEvent[] = [];
  readonly #controller = new AbortController();
  #waiters: { test: (e: ReceivedEvent) => boolean; resolve: (e: ReceivedEvent) => void }[] = [];
  status = 0;
  done: Promise<void>;

  constructor(url: string, token: string, lastEventId?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    this.done = this.#read(url, headers).catch(() => undefined);
  }

  async #read(url: string, headers: Record<string, string>): Promise<void> {
    const res = await fetch(url, { headers, signal: this.#controller.signal });
    this.status = res.status;
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.#parse(block);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  #parse(block: string): void {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || !line.includes(':')) continue;
      const at = line.indexOf(':');
      fields.set(line.slice(0, at), line.slice(at + 1).trimStart());
    }
    const event = fields.get('event');
    const data = fields.get('data');
    if (!event || data === undefined) return;
    const received = {
      id: fields.get('id') ?? null,
      event,
      data: JSON.parse(data) as Record<string, unknown>,
    };
    this.events.push(received);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.test(received)) return true;
      waiter.resolve(received);
      return false;
    });
  }

  /** The first event (already received or still to come) that passes `test`. */
  next(test: (e: ReceivedEvent) => boolean, timeoutMs = 10_000): Promise<ReceivedEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got: ${this.events.map((e) => e.event).join(', ')}`,
            ),
          ),
        timeoutMs,
      );
      this.#waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Waits for an event of `type` that arrives after the `after`-th received event. */
  nextAfter(after: number, type: string, timeoutMs?: number): Promise<ReceivedEvent> {
    return this.next((e) => e.event === type && this.events.indexOf(e) >= after, timeoutMs);
  }

  close(): void {
    this.#controller.abort();
  }
}
