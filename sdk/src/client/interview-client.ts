import { listMicrophones } from '../audio/microphone.ts';
import { Voice } from '../audio/voice.ts';
import { AnswerQueue } from './answer-queue.ts';
import { applySessionEvent, type SessionEventTargets } from './apply-session-event.ts';
import { InterviewClientError, InterviewEndedError } from './interview-error.ts';
import { InterviewStateStore } from './interview-state-store.ts';
import { isSecretKey, secretKeyError, secretKeyWarning } from './secret-key.ts';
import { type AnswerBody, SessionApi } from './session-api.ts';
import { toInterviewClientError } from './session-api-error.ts';
import { SessionConnection } from './session-connection.ts';
import { TranscriptBook } from './transcript-book.ts';
import type {
  CompletionReason,
  InterviewClientEventMap,
  InterviewClientOptions,
  InterviewError,
  InterviewState,
  Session,
  TranscriptEntry,
} from './types.ts';

// How long `end()` lets answers still on their way arrive before it ends the interview.
const endFlushMs = 10_000;
// How long `interview.completed` may lag the `state` that says the interview is completed before the client
// asks the platform how it ended; the two are published together, so this is already generous.
const completionGraceMs = 5000;

/** The typed `addEventListener` / `removeEventListener` of an `InterviewClient`, for its event map. */
export interface InterviewClient {
  addEventListener<K extends keyof InterviewClientEventMap>(
    type: K,
    listener: (this: InterviewClient, event: InterviewClientEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof InterviewClientEventMap>(
    type: K,
    listener: (this: InterviewClient, event: InterviewClientEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/**
 * The interview, headless: it owns the session, the event stream, the answers on their way and the audio
 * (microphone, voice detection, recording, the interviewer's voice), and reports all of it as one
 * `InterviewState` and a few events. `<ai-interview>` is a view over it; a vendor can build its own UI on
 * it alone. It holds the session token and nothing else secret, and renders nothing.
 *
 * ```ts
 * const client = new InterviewClient({ apiBase: 'https://api.viva.example', sessionToken });
 * client.addEventListener('state', (event) => render(event.detail));
 * client.addEventListener('transcript', (event) => caption(event.detail));
 * await client.load();            // ready: show the consent text and the microphone check
 * await client.openMicrophone();  // the level meter: 'level' events
 * await client.start();           // live: the interviewer speaks; the candidate answers by voice
 * ```
 *
 * A voice interview joins the session's LiveKit room when the platform offers one (`Session.transports`,
 * unless the `transport` option is `http`): the microphone is published there and the interviewer agent's
 * track plays. When the room cannot be joined (WebRTC blocked, `liveKitTimeoutMs` passed) or is lost for
 * good, the voice goes over HTTP instead, at the same question; `state.transport` says which is in use.
 *
 * @event state - Any change of the state {InterviewState}
 * @event transcript - A caption line appeared or grew {TranscriptEntry}
 * @event completed - The interview is over {{ interviewId: string; reason: CompletionReason }}
 * @event error - Something went wrong; also in `state.error` {InterviewError}
 * @event level - The microphone's input level, 0 to 1, about 20 times a second while it is open {number}
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only adds typed overloads of EventTarget's own methods.
export class InterviewClient extends EventTarget {
  readonly #api: SessionApi;
  readonly #options: InterviewClientOptions;
  readonly #store = new InterviewStateStore(this);
  readonly #book = new TranscriptBook();
  readonly #queue: AnswerQueue;
  readonly #abort = new AbortController();
  readonly #connection: SessionConnection;
  readonly #voice: Voice;
  #byVoice = false;
  #ending: Promise<void> | null = null;
  #completionCheck: ReturnType<typeof setTimeout> | null = null;

  /** A client for one interview session; nothing is requested until `load()`. */
  constructor(options: InterviewClientOptions) {
    super();
    this.#options = options;
    this.#api = new SessionApi({
      apiBase: options.apiBase,
      sessionToken: options.sessionToken,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.#queue = new AnswerQueue({
      submit: (body, key, signal) => this.#api.submitAnswer(body, key, { retry: { maxAttempts: 1 }, signal }),
      onPendingChange: (pending) => this.#store.set({ pendingAnswers: pending }),
      onFatal: (error) => this.#fail(error),
    });
    this.#voice = new Voice({
      silenceMs: options.silenceMs ?? 1800,
      liveKitTimeoutMs: options.liveKitTimeoutMs ?? 15_000,
      requestRoom: (request, signal) => this.#api.joinLiveKit(request, signal),
      level: (level) => this.#store.emit('level', level),
      changed: (patch) => this.#store.set(patch),
      answer: (answer) => {
        if (this.#store.closed || this.#state.status === 'completed') return;
        this.#submit({ kind: 'audio', audio: answer.audio, contentType: answer.contentType }).catch(() => {
          // Reported as an `error` event by #submit.
        });
      },
      interrupted: (turnId, heardMs) => this.reportBargeIn(turnId, heardMs),
      partialCaption: (text) => {
        const entry = this.#book.candidatePartial(text);
        if (entry) this.#store.emit('transcript', entry);
      },
      problem: (error) => this.#report(error),
    });
    const targets: SessionEventTargets = {
      store: this.#store,
      book: this.#book,
      queue: this.#queue,
      voice: this.#voice,
      complete: (interviewId, reason) => this.#complete(interviewId, reason),
      fail: (error) => this.#fail(error),
      replying: () => this.#interviewerReplying(),
      completing: () => this.#awaitCompletion(),
    };
    this.#connection = new SessionConnection({
      apiBase: options.apiBase,
      sessionToken: options.sessionToken,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
      store: this.#store,
      restored: () => this.#queue.connectionRestored(),
      event: (event, stream) => applySessionEvent(event, stream, targets),
      failed: (error) => this.#fail(error),
    });
  }

  /** The whole state, as a frozen snapshot; every change also comes as a `state` event. */
  get state(): InterviewState {
    return this.#store.current;
  }

  /** The captions so far, one entry per turn, in order (frozen). */
  get transcript(): readonly TranscriptEntry[] {
    return this.#book.entries;
  }

  /**
   * Fetches the session (`GET /v1/session`): `idle` → `loading` → `ready`. On failure the status is `error`
   * (a bad or expired token: `session_invalid`), and the promise rejects with an `InterviewClientError`.
   */
  async load(): Promise<Session> {
    this.#assertOpen();
    if (isSecretKey(this.#options.sessionToken)) {
      console.error(secretKeyWarning);
      throw this.#fail(secretKeyError());
    }
    this.#store.set({ status: 'loading', error: null });
    let session: Session;
    try {
      session = deepFreeze(await this.#api.getSession(this.#abort.signal));
    } catch (error) {
      throw this.#fail(toInterviewClientError(error));
    }
    this.#store.set({ status: 'ready', session, questionCount: session.question_count });
    return session;
  }

  /** The audio input devices. Their labels are empty until the microphone has been allowed once. */
  listMicrophones(): Promise<MediaDeviceInfo[]> {
    return listMicrophones();
  }

  /**
   * Opens the microphone (asking the candidate's permission the first time) and starts `level` events, for
   * the microphone check; nothing is recorded or sent until the interview is live. Opening another device
   * replaces the current one. Rejects with `microphone_denied` or `microphone_unavailable`.
   */
  async openMicrophone(deviceId?: string): Promise<void> {
    this.#assertOpen();
    try {
      await this.#openMicrophone(deviceId);
    } catch (error) {
      this.#report(error as InterviewClientError);
      throw error;
    }
  }

  /** Rejects with an `InterviewClientError`, reported by the caller. */
  async #openMicrophone(deviceId?: string): Promise<void> {
    await this.#voice.openMicrophone(deviceId);
    if (this.#state.error && isMicrophoneCode(this.#state.error.code)) {
      // A start that failed on the microphone is ready to be made again, now that there is one.
      const failedStart = this.#state.status === 'error' && !this.#connection.everLive;
      this.#store.set(failedStart ? { status: 'ready', error: null } : { error: null });
    }
  }

  /**
   * Closes the microphone: no more `level` events; an answer being spoken is sent as far as it went. A
   * microphone problem reported while the interview goes on is cleared: the candidate chose not to use one.
   */
  closeMicrophone(): void {
    this.#voice.closeMicrophone();
    const { error, status } = this.#state;
    if (error && isMicrophoneCode(error.code) && status !== 'error') this.#store.set({ error: null });
  }

  /**
   * Starts the interview (`POST /v1/session/start`, which resumes one in progress) and opens its event
   * stream: `ready` → `connecting` → `live`. With `voice` (by default, when the session takes audio answers
   * and the microphone is open), the candidate answers by speaking and hears the interviewer; otherwise by
   * `sendText`. A start that failed before the interview went live (the microphone could not be opened, the
   * network) may be made again, by voice or not.
   */
  async start(options: { voice?: boolean } = {}): Promise<void> {
    this.#assertOpen();
    const { session, status, error } = this.#state;
    const failedStart = status === 'error' && !this.#connection.everLive && error?.retryable === true;
    if ((status !== 'ready' && !failedStart) || !session) {
      throw new InterviewClientError({
        code: 'unknown',
        message: `start() needs a loaded session (status "ready"), not "${status}".`,
        retryable: false,
      });
    }
    const takesAudio = session.answer_modes.includes('audio');
    this.#byVoice = takesAudio && (options.voice ?? this.#voice.microphoneOpen);
    if (options.voice && !takesAudio) {
      console.warn('[viva] this session takes text answers only (answer_modes); answering by text.');
    }
    await this.#connect();
  }

  /**
   * Sends a typed answer. It is queued and sent when it is the candidate's turn, and sent again after a
   * network failure until the platform acknowledges it; the promise resolves then. It rejects only if the
   * platform refuses the answer (`answer_rejected`) or the interview ends before it is sent (one already on its
   * way then resolves if the platform took it).
   */
  async sendText(text: string): Promise<void> {
    this.#assertOpen();
    const trimmed = text.trim();
    if (trimmed === '') {
      throw new InterviewClientError({
        code: 'answer_rejected',
        message: 'The answer is empty.',
        retryable: false,
      });
    }
    if (!['connecting', 'live', 'reconnecting'].includes(this.#state.status)) {
      throw new InterviewClientError({
        code: 'unknown',
        message: `The interview is not in progress (status "${this.#state.status}").`,
        retryable: false,
      });
    }
    await this.#submit({ kind: 'text', text: trimmed });
  }

  /** Mutes the microphone: nothing is heard, detected or sent while muted; the device stays open. */
  setMuted(muted: boolean): void {
    if (this.#state.muted === muted) return;
    this.#voice.setMuted(muted);
    this.#store.set({ muted });
  }

  /**
   * Ends the interview at the candidate's request (`POST /v1/session/end`), after giving answers still on
   * their way a moment to arrive. The status becomes `completed` with the reason `candidate_ended`.
   */
  async end(): Promise<void> {
    this.#assertOpen();
    if (this.#state.status === 'completed') return;
    // One end at a time: a second call (a double click) waits for the first rather than send another.
    this.#ending ??= this.#end().finally(() => {
      this.#ending = null;
    });
    return this.#ending;
  }

  async #end(): Promise<void> {
    const session = this.#state.session;
    if (!session)
      throw new InterviewClientError({ code: 'unknown', message: 'No session loaded.', retryable: false });
    await this.#queue.settled(endFlushMs);
    // The interview may have ended meanwhile: its time ran out, or the last answer finished it.
    if (this.#completed) return;
    try {
      await this.#api.endSession(this.#abort.signal);
    } catch (error) {
      // Completed on the stream while the request was out: the token died with the interview, and its 401
      // says nothing the candidate needs to hear.
      if (this.#completed) return;
      const failure = toInterviewClientError(error);
      if (failure.code === 'session_invalid') {
        this.#fail(failure);
        if (this.#completed) return;
        throw failure;
      }
      this.#report(failure);
      throw failure;
    }
    this.#complete(session.interview_id, 'candidate_ended');
  }

  /**
   * Tries again after a retryable error: loads the session again if it never loaded, starts again if the
   * interview never went live, or reopens the event stream (resuming where it left off) if it was live. The
   * voice, stopped by the error, comes back with it: the microphone (the same device) and the transport.
   */
  async retry(): Promise<void> {
    this.#assertOpen();
    const { status, error, session } = this.#state;
    if (status === 'reconnecting') {
      this.#connection.reopen();
      return;
    }
    if (status !== 'error' || (error && !error.retryable)) return;
    if (!session) {
      await this.load();
      return;
    }
    if (!this.#connection.everLive) {
      this.#store.set({ status: 'ready', error: null });
      await this.start({ voice: this.#byVoice });
      return;
    }
    this.#store.set({ status: 'reconnecting', error: null });
    // The voice is back before the stream, as at the start: the retried turn's first audio comes on the
    // stream, and over LiveKit the agent speaks it once the candidate is in the room. A microphone that
    // cannot be opened again is a problem the interview goes on with, told once it is live.
    const microphone = await this.#voice.resume().then(
      () => null,
      (error: unknown) => toInterviewClientError(error),
    );
    await this.#connection.open();
    if (microphone) this.#report(microphone);
  }

  /** Releases everything (microphone, audio, the event stream); no event is dispatched after this. */
  close(): void {
    if (this.#store.closed) return;
    this.#store.close();
    this.#abort.abort();
    if (this.#completionCheck !== null) clearTimeout(this.#completionCheck);
    this.#connection.close();
    this.#queue.close('The interview client was closed.');
    this.#voice.close();
  }

  /**
   * Barge-in over HTTP: the candidate spoke over the interviewer's committed turn `turnId` after hearing
   * `playedMs` of its audio (playback has already stopped). The one place that tells the platform:
   * `POST /v1/session/interruptions` records it on the turn, so reviewers know the rest went unheard. Best
   * effort: a failure is logged and never disturbs the interview. (Over LiveKit, the agent notices and tells.)
   */
  private reportBargeIn(turnId: string, playedMs: number): void {
    this.#api.reportInterruption(turnId, playedMs, this.#abort.signal).catch((error: unknown) => {
      if (!this.#store.closed) console.warn('[viva] could not report an interruption', error);
    });
  }

  // Connecting

  async #connect(): Promise<void> {
    this.#store.set({ status: 'connecting', error: null });
    try {
      // The room first (when there is one), so the interviewer agent is there to speak the first turn.
      if (this.#byVoice) await this.#prepareVoice();
      else this.#store.set({ transport: 'http' });
      await this.#api.startSession(this.#abort.signal);
      await this.#connection.open();
    } catch (error) {
      if (this.#store.closed) return;
      const failure = toInterviewClientError(error);
      if (this.#state.status !== 'error') this.#fail(failure);
      // Completed already (on another tab, or while this page was away): nothing failed.
      if (this.#completed) return;
      throw failure;
    }
  }

  // Answers

  async #submit(body: AnswerBody): Promise<void> {
    try {
      await this.#queue.add(body);
      if (this.#state.error?.code === 'answer_rejected') this.#store.set({ error: null });
    } catch (error) {
      const failure = toInterviewClientError(error, 'answer');
      // An answer that arrived after the end is not news to the candidate; a refused one is.
      if (this.#state.status !== 'completed') this.#report(failure);
      throw failure;
    }
  }

  // Voice

  async #prepareVoice(): Promise<void> {
    // Not the public openMicrophone: a failure here is the start's, reported once, as such. A start that
    // failed after the voice had begun paused it: the device the candidate chose opens again.
    if (!this.#voice.microphoneOpen) {
      await this.#openMicrophone(this.#voice.paused ? this.#voice.deviceId : undefined);
    }
    await this.#voice.begin(this.#state.session!, this.#options.transport ?? 'auto');
  }

  // State, completion and errors

  get #state(): InterviewState {
    return this.#store.current;
  }

  /** Read afresh at each use: TypeScript would keep a status narrowed across an `await`. */
  get #completed(): boolean {
    return this.#state.status === 'completed';
  }

  #complete(interviewId: string, reason: CompletionReason): void {
    if (this.#state.status === 'completed') return;
    this.#connection.finish();
    this.#queue.close('The interview ended before this answer was delivered.', { abortInFlight: false });
    // Closes the microphone; the interviewer's last words may still be heard (`speaking`).
    this.#voice.finish();
    const completion = Object.freeze({ interviewId, reason });
    this.#store.set({ status: 'completed', turn: 'none', completion });
    this.#store.emit('completed', completion);
  }

  /**
   * The interviewer is replying after all (the platform tried the failed turn again by itself, or the error
   * was an old one, sent again to a page that reconnected from the start): the interview goes on, and so
   * does the voice the error stopped.
   */
  #interviewerReplying(): void {
    const { status, error } = this.#state;
    if (status !== 'error' || error?.code !== 'interviewer_unavailable') return;
    this.#store.set({ status: 'live', error: null });
    this.#voice.resume().catch((failure: unknown) => {
      if (!this.#store.closed) this.#report(toInterviewClientError(failure));
    });
  }

  /**
   * A `state` said the interview is completed. `interview.completed`, which says why, comes right behind it,
   * unless the platform could not publish it: then `GET /v1/session` is refused with how the interview ended.
   */
  #awaitCompletion(): void {
    if (this.#completionCheck !== null || this.#completed) return;
    this.#completionCheck = setTimeout(() => {
      if (this.#completed || this.#store.closed) return;
      this.#api.getSession(this.#abort.signal).then(
        () => {
          // Not over after all (the `state` was not this interview's last word): nothing to do.
          this.#completionCheck = null;
        },
        (error: unknown) => {
          if (this.#store.closed) return;
          const failure = toInterviewClientError(error);
          // A refusal that says how it ended completes the interview; a network failure leaves it to the stream,
          // which the platform closes, and whose reconnect meets the same refusal.
          if (failure.code === 'session_invalid') this.#fail(failure);
          else this.#completionCheck = null;
        },
      );
    }, completionGraceMs);
  }

  /** Reports an error that stops the interview until `retry()` (or for good): status `error`. */
  #fail(error: InterviewClientError): InterviewClientError {
    // A completed interview stays completed: what fails after the end (its dead token) is no news.
    if (this.#completed) return error;
    const { session } = this.#state;
    if (error instanceof InterviewEndedError && session) {
      // It ended while this client was not listening: the candidate sees the end, not a bad link.
      this.#complete(session.interview_id, error.reason);
      return error;
    }
    if (!error.retryable) this.#connection.closeStream();
    if (error.code === 'session_invalid' || error.code === 'origin_not_allowed') {
      this.#queue.close('The session is no longer valid.');
      this.#voice.stop();
    } else {
      // The interview has stopped until `retry()`: what the candidate says meanwhile must not be recorded
      // and sent as answers afterwards, nor the interviewer (or its room) go on without them.
      this.#voice.pause();
    }
    const detail = error.toInterviewError();
    this.#store.set({ status: 'error', error: detail, listening: this.#voice.listening });
    this.#store.emit('error', detail);
    return error;
  }

  /** Reports an error the interview goes on with (a refused answer, a microphone problem). */
  #report(error: InterviewClientError): void {
    const detail = error.toInterviewError();
    this.#store.set({ error: detail });
    this.#store.emit('error', detail);
  }

  #assertOpen(): void {
    if (this.#store.closed) {
      throw new InterviewClientError({
        code: 'unknown',
        message: 'This client was closed.',
        retryable: false,
      });
    }
  }
}

function isMicrophoneCode(code: InterviewError['code']): boolean {
  return code === 'microphone_denied' || code === 'microphone_unavailable';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
