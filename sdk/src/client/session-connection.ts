import { SessionEventStream } from './event-stream.ts';
import { InterviewClientError } from './interview-error.ts';
import type { InterviewStateStore } from './interview-state-store.ts';
import { toInterviewClientError } from './session-api-error.ts';
import type { SessionEvent } from './session-event-parser.ts';

export interface SessionConnectionOptions {
  apiBase: string;
  sessionToken: string;
  fetch?: typeof fetch;
  /** The stream's silence, in milliseconds, after which it is taken for dead and reopened. */
  heartbeatTimeoutMs?: number;
  /** The state whose status the connection moves between `connecting` or `reconnecting`, and `live`. */
  store: InterviewStateStore;
  /** A stream is open (again): what waited for the connection may go. */
  restored(): void;
  /** One event, never one handled before, from `stream`. */
  event(event: SessionEvent, stream: SessionEventStream): void;
  /** The stream stopped for good: the interview stops until `retry()`, or for good. */
  failed(error: InterviewClientError): void;
}

/**
 * The interview's link to its event stream, across the streams it takes: a stream that failed for good is
 * replaced by a new one (`retry()`), which resumes after the last event the previous one handled and skips
 * any event already handled, so nothing said is missed or counted twice. An open stream makes the interview
 * `live`; a dropped one, `reconnecting` until it is back.
 */
export class SessionConnection {
  readonly #options: SessionConnectionOptions;
  #stream: SessionEventStream | null = null;
  #lastEventId: string | null = null;
  readonly #seenEventIds = new Set<string>();
  #live: { resolve(): void; reject(error: InterviewClientError): void } | null = null;
  #everLive = false;

  constructor(options: SessionConnectionOptions) {
    this.#options = options;
  }

  /** Whether the interview has been live on this client: a start that failed before it was may be made again. */
  get everLive(): boolean {
    return this.#everLive;
  }

  /** Opens a new stream and resolves once it is open (or rejects if it fails for good). */
  open(): Promise<void> {
    const live = new Promise<void>((resolve, reject) => {
      this.#live = { resolve, reject };
    });
    this.reopen();
    return live;
  }

  /** Replaces the stream with a new one, without waiting for it to open. */
  reopen(): void {
    // Resume after the last event the previous stream handled, known to this connection or not.
    this.#lastEventId = this.#stream?.lastEventId ?? this.#lastEventId;
    this.#stream?.close();
    const { apiBase, sessionToken, store } = this.#options;
    const stream = new SessionEventStream({
      url: `${apiBase.replace(/\/+$/, '')}/v1/session/events`,
      sessionToken,
      lastEventId: this.#lastEventId,
      seenIds: this.#seenEventIds,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
      ...(this.#options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: this.#options.heartbeatTimeoutMs } : {}),
      handlers: {
        onOpen: () => this.#opened(),
        onEvent: (event) => this.#options.event(event, stream),
        onDrop: () => {
          if (store.current.status === 'live') store.set({ status: 'reconnecting' });
        },
        onFail: (error) => {
          if (this.#stream !== stream || this.#completed) return;
          const failure = toInterviewClientError(error);
          this.#options.failed(failure);
          // The refusal may say the interview was completed meanwhile: a retry that waited has its answer.
          if (this.#completed) this.#live?.resolve();
          else this.#live?.reject(failure);
          this.#live = null;
        },
      },
    });
    this.#stream = stream;
    void stream.run();
  }

  /** The interview is over: the platform ends the stream, which must not reconnect. */
  finish(): void {
    this.#stream?.finish();
  }

  /** Stops the stream, for a failure no reconnect can mend; `reopen()` may start another later. */
  closeStream(): void {
    this.#stream?.close();
    this.#stream = null;
  }

  /** Stops the stream for good; a waiting `open()` rejects. */
  close(): void {
    this.closeStream();
    this.#live?.reject(new InterviewClientError({ code: 'unknown', message: 'Closed.', retryable: false }));
    this.#live = null;
  }

  #opened(): void {
    const { store } = this.#options;
    if (store.current.status === 'connecting' || store.current.status === 'reconnecting') {
      this.#everLive = true;
      store.set({ status: 'live', error: null });
    }
    this.#options.restored();
    this.#live?.resolve();
    this.#live = null;
  }

  /** Read afresh at each use: reporting a failure may complete the interview (an end this client missed). */
  get #completed(): boolean {
    return this.#options.store.current.status === 'completed';
  }
}
