import { type EventSourceMessage, fetchEventSource } from '@microsoft/fetch-event-source';
import { isRetryableStatus, type RetryPolicy, retryDelay } from './retry-policy.ts';
import { problemOf } from './session-api.ts';
import { type SessionApiError, SessionConnectionError } from './session-api-error.ts';
import { parseSessionEvent, type SessionEvent } from './session-event-parser.ts';

export interface EventStreamHandlers {
  /** The stream is open (again): events flow from here on, after what was missed. */
  onOpen(): void;
  /** One event, parsed, never one already delivered. */
  onEvent(event: SessionEvent): void;
  /** The connection dropped, or could not be made; another attempt follows after `retryInMs`. */
  onDrop(error: unknown, retryInMs: number): void;
  /**
   * The stream stopped for good: the platform refused it (401 after the interview ended, 403), or the
   * reconnect attempts ran out (a `SessionConnectionError`). `retry` on the client may open a new one.
   */
  onFail(error: SessionApiError | SessionConnectionError): void;
}

export interface EventStreamOptions {
  url: string;
  sessionToken: string;
  /** Resume after this event (from an earlier stream of this interview). */
  lastEventId: string | null;
  /**
   * Ids of the events already handled, shared by the successive streams of one interview: a resume with an
   * id the platform no longer knows replays what it kept from the start, and none of it may count twice.
   */
  seenIds?: Set<string>;
  handlers: EventStreamHandlers;
  fetch?: typeof fetch;
  /** Reconnect attempts in a row before giving up (`onFail`); each waits longer, up to `maxDelayMs`. */
  retry?: Partial<RetryPolicy>;
  /**
   * A connection that brings nothing, not even the platform's heartbeat, for this long is taken for dead and
   * replaced, resuming after the last event.
   */
  heartbeatTimeoutMs?: number;
}

// About a minute and a half of trying before the candidate is asked to act.
const defaultStreamRetry: RetryPolicy = { maxAttempts: 12, baseDelayMs: 1000, maxDelayMs: 10_000 };
// Ids remembered to drop repeats: more than the platform keeps per interview (about 2,000).
const rememberedIds = 4096;
// Three of the platform's heartbeats at their default interval (15 s): one lost or late is not a dead line.
const defaultHeartbeatTimeoutMs = 45_000;
// After the interview's end, how long the platform has to end the stream before it is let go from here.
const finishGraceMs = 5000;

class FatalStreamError extends Error {
  constructor(readonly error: SessionApiError | SessionConnectionError) {
    super(error.message);
  }
}

/** The stream was ended from here, the interview being over: no handler hears of it. */
class StreamFinished extends Error {}

class RetryableStreamError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/**
 * `GET /v1/session/events`, kept open: read with `fetch` (an `EventSource` cannot send the token), resumed
 * after a drop with `Last-Event-ID`, with backoff between attempts. It ends when `finish()` is called (the
 * platform ends the stream after `interview.completed`, and the token is dead then) or on `close()`.
 *
 * A connection can die without a word (the laptop slept, the network changed under a NAT): the platform's
 * heartbeat is what tells it apart from a quiet one. A connection silent for `heartbeatTimeoutMs` is aborted,
 * and the next attempt resumes after the last event.
 */
export class SessionEventStream {
  readonly #options: EventStreamOptions;
  readonly #policy: RetryPolicy;
  readonly #abort = new AbortController();
  readonly #seen: Set<string>;
  #lastEventId: string | null;
  #failures = 0;
  /** The stream's own `retry:` advice, in milliseconds: the platform asks for 3 seconds. */
  #serverRetryMs = 0;
  #finished = false;
  #open = false;
  readonly #heartbeatTimeoutMs: number;
  /** Aborts the connection being made or read (not the stream: the library's retry makes the next one). */
  #attempt: AbortController | null = null;
  #watchdog: ReturnType<typeof setTimeout> | null = null;
  #finishTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: EventStreamOptions) {
    this.#options = options;
    this.#policy = { ...defaultStreamRetry, ...options.retry };
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? defaultHeartbeatTimeoutMs;
    this.#lastEventId = options.lastEventId;
    this.#seen = options.seenIds ?? new Set();
  }

  /** The id of the last event handed to `onEvent`: where a new stream should resume. */
  get lastEventId(): string | null {
    return this.#lastEventId;
  }

  /** Whether the connection is up right now. */
  get open(): boolean {
    return this.#open;
  }

  /** Connects; resolves when the stream has stopped for good (finished, closed or failed). */
  async run(): Promise<void> {
    const { handlers, url, sessionToken } = this.#options;
    const baseFetch = this.#options.fetch ?? globalThis.fetch.bind(globalThis);
    try {
      await fetchEventSource(url, {
        method: 'GET',
        headers: { authorization: `Bearer ${sessionToken}` },
        signal: this.#abort.signal,
        // The interview goes on while the candidate looks at another tab: by default the library closes the
        // stream while the page is hidden, and the interviewer would fall silent there.
        openWhenHidden: true,
        credentials: 'omit',
        // The library stores an event's id the moment it reads the `id:` line, before the event is whole, and
        // sends that on reconnect: a drop in between would skip the event. Resume from the last event handled.
        fetch: (input, init) => {
          const headers = { ...(init?.headers as Record<string, string>) };
          delete headers['last-event-id'];
          if (this.#lastEventId !== null) headers['last-event-id'] = this.#lastEventId;
          return baseFetch(input, { ...init, headers, signal: this.#newAttempt(init?.signal) });
        },
        onopen: async (response) => this.#opened(response),
        onmessage: (message) => this.#message(message),
        onclose: () => {
          this.#attemptOver();
          // The platform ends the stream after the interview's last event; any other end is a drop.
          if (!this.#finished) throw new RetryableStreamError('the event stream ended early');
        },
        onerror: (error: unknown) => {
          this.#attemptOver();
          // Over: whatever ended the connection, no other is worth making.
          if (this.#finished) throw new StreamFinished();
          if (error instanceof FatalStreamError) throw error;
          this.#failures += 1;
          if (this.#failures >= this.#policy.maxAttempts) {
            throw new FatalStreamError(
              new SessionConnectionError(
                `the event stream could not be restored after ${this.#failures} attempts`,
                {
                  cause: error,
                },
              ),
            );
          }
          // Never sooner than the stream's `retry:` asks, nor than a Retry-After; longer as failures go on.
          const asked = error instanceof RetryableStreamError ? error.retryAfterMs : null;
          const delay = retryDelay(this.#failures, this.#policy, Math.max(asked ?? 0, this.#serverRetryMs));
          handlers.onDrop(error, delay);
          return delay;
        },
      });
    } catch (error) {
      if (this.#abort.signal.aborted || error instanceof StreamFinished) return;
      handlers.onFail(
        error instanceof FatalStreamError
          ? error.error
          : new SessionConnectionError(error instanceof Error ? error.message : String(error), {
              cause: error,
            }),
      );
    } finally {
      this.#attemptOver();
      if (this.#finishTimer !== null) clearTimeout(this.#finishTimer);
    }
  }

  /**
   * The interview is over: the platform ends the stream next, and it must not be reopened. Should its last
   * event never come (it could not be published), the stream is let go from here after a few seconds.
   */
  finish(): void {
    this.#finished = true;
    // Learned elsewhere (a refused answer, `end()`) while between connections: no reconnect is worth making.
    if (!this.#open) this.#abort.abort();
    else this.#finishTimer ??= setTimeout(() => this.close(), finishGraceMs);
  }

  /** Stops reading and reconnecting; no handler is called after this. */
  close(): void {
    this.#finished = true;
    this.#open = false;
    this.#abort.abort();
    this.#attemptOver();
  }

  /** A connection is being made: the signal its request goes with, which the watchdog may abort. */
  #newAttempt(librarySignal: AbortSignal | null | undefined): AbortSignal {
    const attempt = new AbortController();
    // The library aborts its own signal to stop (the stream closed); that stops this attempt as well.
    if (librarySignal?.aborted) attempt.abort(librarySignal.reason);
    librarySignal?.addEventListener('abort', () => attempt.abort(librarySignal.reason), { once: true });
    this.#attempt = attempt;
    this.#heard();
    return attempt.signal;
  }

  /** Something came on the connection (a response, an event, a heartbeat): it is alive for a while more. */
  #heard(): void {
    const attempt = this.#attempt;
    if (attempt === null) return;
    if (this.#watchdog !== null) clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      this.#watchdog = null;
      // Rejects the pending fetch or read, and the library's retry path reconnects, after the last event.
      attempt.abort(
        new RetryableStreamError(`the event stream was silent for ${this.#heartbeatTimeoutMs} ms`),
      );
    }, this.#heartbeatTimeoutMs);
  }

  #attemptOver(): void {
    this.#open = false;
    this.#attempt = null;
    if (this.#watchdog !== null) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  async #opened(response: Response): Promise<void> {
    this.#heard();
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && type.startsWith('text/event-stream')) {
      this.#failures = 0;
      this.#open = true;
      this.#options.handlers.onOpen();
      return;
    }
    if (response.ok) throw new RetryableStreamError(`the event stream answered ${type || 'no content type'}`);
    const problem = await problemOf(response);
    if (isRetryableStatus(response.status))
      throw new RetryableStreamError(problem.message, problem.retryAfterMs);
    throw new FatalStreamError(problem);
  }

  #message(message: EventSourceMessage): void {
    if (this.#abort.signal.aborted) return;
    // Every message counts, the heartbeat too: its `: ping` line is a comment, which the library skips, but the
    // blank line after it hands over an empty message.
    this.#heard();
    if (message.retry !== undefined) this.#serverRetryMs = Math.min(message.retry, this.#policy.maxDelayMs);
    // The `retry:` field alone makes an empty message.
    if (message.event === '' && message.data === '') return;
    if (message.id !== '') {
      if (this.#seen.has(message.id)) return;
      this.#seen.add(message.id);
      if (this.#seen.size > rememberedIds) this.#seen.delete(this.#seen.values().next().value as string);
      this.#lastEventId = message.id;
    }
    const parsed = parseSessionEvent({ id: message.id, event: message.event, data: message.data });
    if (parsed.kind === 'event') this.#options.handlers.onEvent(parsed.event);
    else if (parsed.kind === 'invalid') console.warn(`[viva] ignored a malformed event: ${parsed.reason}`);
  }
}
