import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { initialState } from '../client/interview-state-store.ts';
import { isSecretKey, secretKeyError, secretKeyWarning } from '../client/secret-key.ts';
import type { InterviewError, InterviewState, TranscriptEntry } from '../client/types.ts';
import { emit } from './events.ts';
import { type InterviewClientFactory, type InterviewClientLike, listen } from './interview-client-like.ts';
import { ReactiveState } from './reactive-state.ts';

/** The element's settings a client is made from. */
export interface InterviewConnectionHost extends ReactiveControllerHost, HTMLElement {
  sessionToken: string;
  apiBase: string;
  silenceMs: number | undefined;
  transport: 'auto' | 'http';
}

export interface InterviewConnectionOptions {
  /** Makes the client: the element class's `createClient`, looked up at each call (a page may replace it). */
  createClient: InterviewClientFactory;
  /** The client's state changed; the element's events about it have gone out. */
  stateChanged(state: InterviewState): void;
  /** The microphone's input level, 0 to 1. */
  level(level: number): void;
  /** The interview was let go (no session any more, or another one): what the candidate did in it resets. */
  reset(): void;
}

/**
 * The element's interview: a client made for its session settings (`session-token`, `api-base`,
 * `silence-ms`, `transport`), loaded at once, and let go when they change or the element leaves the page.
 * Its state and captions are kept here for the screens, and what it reports goes to the page as the
 * element's `interview-*` events.
 */
export class InterviewConnectionController implements ReactiveController {
  readonly #view: ReactiveState<{
    state: InterviewState;
    captions: readonly TranscriptEntry[];
    localError: InterviewError | null;
  }>;
  #client: InterviewClientLike | null = null;
  #clientKey = '';
  #stopListening: Array<() => void> = [];
  #startedEmitted = false;
  #readyEmitted = false;

  constructor(
    private readonly host: InterviewConnectionHost,
    private readonly options: InterviewConnectionOptions,
  ) {
    this.#view = new ReactiveState(host, { state: initialState, captions: [], localError: null });
    host.addController(this);
  }

  get client(): InterviewClientLike | null {
    return this.#client;
  }

  /** The client's state; idle while there is none. */
  get state(): InterviewState {
    return this.#view.value.state;
  }

  get captions(): readonly TranscriptEntry[] {
    return this.#view.value.captions;
  }

  /** What the element refused before any client was made (a secret key for a session token). */
  get localError(): InterviewError | null {
    return this.#view.value.localError;
  }

  /** Whether this interview has been live here (`interview-started` went out). */
  get started(): boolean {
    return this.#startedEmitted;
  }

  hostConnected(): void {
    this.connect();
  }

  hostDisconnected(): void {
    // Moving the element in the page disconnects and reconnects it at once: keep the interview then.
    queueMicrotask(() => {
      if (!this.host.isConnected) this.disconnect();
    });
  }

  /** Makes a client for the element's settings, unless the one it has (or the refusal it showed) is for them. */
  connect(): void {
    const host = this.host;
    // Removing the attribute makes the property null, and frameworks set null or undefined for "no token":
    // either means no session, like ''.
    const token = typeof host.sessionToken === 'string' ? host.sessionToken.trim() : '';
    const apiBase = (host.apiBase || globalThis.location.origin).replace(/\/+$/, '');
    const transport = host.transport === 'http' ? 'http' : 'auto';
    const key = `${token}\n${apiBase}\n${host.silenceMs ?? ''}\n${transport}`;
    if (key === this.#clientKey && (this.#client || this.localError)) return;
    this.disconnect();
    this.#clientKey = key;
    if (!token) return;
    if (isSecretKey(token)) {
      // Refused here too, as the client refuses it, so a replaced `createClient` cannot send it anywhere.
      console.error(secretKeyWarning);
      this.#fail(secretKeyError().toInterviewError());
      return;
    }
    const client = this.options.createClient({
      sessionToken: token,
      apiBase,
      ...(host.silenceMs ? { silenceMs: host.silenceMs } : {}),
      transport,
    });
    this.#client = client;
    this.#view.set({ state: client.state });
    this.#stopListening = [
      listen(client, 'state', (detail) => this.#handleState(detail)),
      listen(client, 'transcript', (entry) => {
        this.#view.set({ captions: [...client.transcript] });
        emit(host, 'interview-transcript', entry);
      }),
      listen(client, 'completed', (detail) => emit(host, 'interview-completed', detail)),
      listen(client, 'error', (detail) => emit(host, 'interview-error', detail)),
      listen(client, 'level', (level) => this.options.level(level)),
    ];
    client.load().catch(() => {
      // Reflected in the client's state (status `error`), and dispatched as `error`; `interview-ready`
      // follows the first `ready` state, after a retry as well.
    });
  }

  /** Lets the client go, and everything about its interview. */
  disconnect(): void {
    for (const stop of this.#stopListening) stop();
    this.#stopListening = [];
    this.#client?.close();
    this.#client = null;
    this.#clientKey = '';
    this.#view.set({ state: initialState, captions: [], localError: null });
    this.options.reset();
    this.#startedEmitted = false;
    this.#readyEmitted = false;
  }

  #fail(error: InterviewError): void {
    this.#view.set({ localError: error });
    emit(this.host, 'interview-error', error);
  }

  #handleState(state: InterviewState): void {
    this.#view.set({ state });
    emit(this.host, 'interview-state', state);
    if (state.status === 'ready' && !this.#readyEmitted && state.session) {
      this.#readyEmitted = true;
      emit(this.host, 'interview-ready', state.session);
    }
    if (state.status === 'live' && !this.#startedEmitted && state.session) {
      this.#startedEmitted = true;
      emit(this.host, 'interview-started', { interviewId: state.session.interview_id });
    }
    this.options.stateChanged(state);
  }
}
