import type { components } from '@viva/openapi/types';
import { defaultRetryPolicy, type RetryPolicy, retryAfterMs, retryDelay } from './retry-policy.ts';
import { SessionApiError, SessionConnectionError } from './session-api-error.ts';
import type { Session } from './types.ts';

export type Answer = components['schemas']['Answer'];
export type Interruption = components['schemas']['Interruption'];

/** `POST /v1/session/livekit`: where the interview's room is, and the candidate's token for it. */
export type LiveKitSession = components['schemas']['LiveKitSession'];
type CreateLiveKitSessionRequest = components['schemas']['CreateLiveKitSessionRequest'];

/** An answer as it goes on the wire: typed text as JSON, or a recording as the raw body. */
export type AnswerBody = { kind: 'text'; text: string } | { kind: 'audio'; audio: Blob; contentType: string };

export interface SessionApiOptions {
  apiBase: string;
  sessionToken: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
}

interface RequestOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: BodyInit;
  contentType?: string;
  /** Sent on every attempt of this one request, so the platform counts a retried POST once. */
  idempotencyKey?: string;
  /** Per attempt. */
  timeoutMs: number;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
}

// A spoken answer's 202 waits for speech-to-text, which can take a while for a long answer.
const answerTimeoutMs = 90_000;
const requestTimeoutMs = 20_000;

/**
 * The candidate's side of the session API (`/v1/session/...`), with the session token and nothing else.
 * Requests that fail on the way (no connection, timeout, 429, 5xx) are tried again with backoff; every
 * POST carries an `Idempotency-Key`, the same on each retry, where the platform takes one.
 */
export class SessionApi {
  readonly #base: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;

  constructor(options: SessionApiOptions) {
    this.#base = options.apiBase.replace(/\/+$/, '');
    this.#token = options.sessionToken;
    // Bound, because a bare `fetch` called as a method of another object throws "Illegal invocation".
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
  }

  /** `GET /v1/session`. */
  getSession(signal?: AbortSignal): Promise<Session> {
    return this.#request<Session>({
      method: 'GET',
      path: '/v1/session',
      timeoutMs: requestTimeoutMs,
      signal,
    });
  }

  /** `POST /v1/session/start`: starts the interview, or resumes the one in progress. */
  startSession(signal?: AbortSignal): Promise<Session> {
    return this.#request<Session>({
      method: 'POST',
      path: '/v1/session/start',
      body: '{}',
      contentType: 'application/json',
      idempotencyKey: newIdempotencyKey(),
      timeoutMs: requestTimeoutMs,
      signal,
    });
  }

  /** `POST /v1/session/end`: the candidate ends the interview. */
  endSession(signal?: AbortSignal): Promise<Session> {
    return this.#request<Session>({
      method: 'POST',
      path: '/v1/session/end',
      body: '{}',
      contentType: 'application/json',
      idempotencyKey: newIdempotencyKey(),
      timeoutMs: requestTimeoutMs,
      signal,
    });
  }

  /**
   * `POST /v1/session/livekit`: the interview's LiveKit room and a token to join it, with the silence after
   * which its agent takes an answer as over. Tried once: on any failure (`transport_unavailable`, the
   * network) the voice goes over HTTP instead, without delay.
   */
  joinLiveKit(request: { silenceMs: number }, signal?: AbortSignal): Promise<LiveKitSession> {
    const body: CreateLiveKitSessionRequest = { silence_ms: request.silenceMs };
    return this.#request<LiveKitSession>({
      method: 'POST',
      path: '/v1/session/livekit',
      body: JSON.stringify(body),
      contentType: 'application/json',
      idempotencyKey: newIdempotencyKey(),
      timeoutMs: requestTimeoutMs,
      retry: { maxAttempts: 1 },
      signal,
    });
  }

  /**
   * `POST /v1/session/answers`. The caller owns the idempotency key: it keeps it across its own retries of
   * the same answer (the answer queue), beyond the retries made here.
   */
  submitAnswer(
    answer: AnswerBody,
    idempotencyKey: string,
    options: { retry?: Partial<RetryPolicy>; signal?: AbortSignal } = {},
  ): Promise<Answer> {
    const wire =
      answer.kind === 'text'
        ? { body: JSON.stringify({ text: answer.text }), contentType: 'application/json' }
        : { body: answer.audio, contentType: answer.contentType };
    return this.#request<Answer>({
      method: 'POST',
      path: '/v1/session/answers',
      ...wire,
      idempotencyKey,
      timeoutMs: answerTimeoutMs,
      retry: options.retry,
      signal: options.signal,
    });
  }

  /**
   * `POST /v1/session/interruptions`: the candidate spoke over the interviewer's turn after hearing
   * `heardMs` of it. The platform keeps the first report of a turn, so a retry is harmless without a key
   * (the operation takes none).
   */
  reportInterruption(turnId: string, heardMs: number, signal?: AbortSignal): Promise<Interruption> {
    return this.#request<Interruption>({
      method: 'POST',
      path: '/v1/session/interruptions',
      body: JSON.stringify({ turn_id: turnId, heard_ms: Math.max(0, Math.round(heardMs)) }),
      contentType: 'application/json',
      timeoutMs: requestTimeoutMs,
      signal,
    });
  }

  async #request<T>(o: RequestOptions): Promise<T> {
    const policy = { ...this.#retry, ...o.retry };
    for (let attempt = 1; ; attempt++) {
      let failure: SessionApiError | SessionConnectionError;
      try {
        return await this.#attempt<T>(o);
      } catch (error) {
        if (!(error instanceof SessionApiError || error instanceof SessionConnectionError)) throw error;
        failure = error;
      }
      const retryable = failure instanceof SessionConnectionError || failure.retryable;
      if (!retryable || attempt >= policy.maxAttempts) throw failure;
      const asked = failure instanceof SessionApiError ? failure.retryAfterMs : null;
      await sleep(retryDelay(attempt, policy, asked), o.signal);
    }
  }

  async #attempt<T>(o: RequestOptions): Promise<T> {
    o.signal?.throwIfAborted();
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json',
    };
    if (o.contentType) headers['content-type'] = o.contentType;
    if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), o.timeoutMs);
    const abort = () => timeout.abort();
    o.signal?.addEventListener('abort', abort, { once: true });
    try {
      let response: Response;
      try {
        response = await this.#fetch(`${this.#base}${o.path}`, {
          method: o.method,
          headers,
          ...(o.body === undefined ? {} : { body: o.body }),
          signal: timeout.signal,
          // The session token travels in a header, never as a cookie: nothing ambient to send.
          credentials: 'omit',
        });
      } catch (error) {
        o.signal?.throwIfAborted();
        // The message names neither the token nor the body; fetch's own errors never include headers.
        throw new SessionConnectionError(
          timeout.signal.aborted
            ? `${o.method} ${o.path} timed out after ${o.timeoutMs} ms`
            : `${o.method} ${o.path} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (response.ok) return (await response.json()) as T;
      throw await problemOf(response);
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', abort);
    }
  }
}

/** Reads a failed response's problem+json (or whatever it is) into a `SessionApiError`. */
export async function problemOf(response: Response): Promise<SessionApiError> {
  let code: SessionApiError['code'] = null;
  let detail = response.statusText || `HTTP ${response.status}`;
  let interviewStatus: SessionApiError['interviewStatus'] = null;
  let completionReason: SessionApiError['completionReason'] = null;
  try {
    const body: unknown = JSON.parse(await response.text());
    if (typeof body === 'object' && body !== null) {
      const problem = body as Record<string, unknown>;
      if (typeof problem.code === 'string') code = problem.code as SessionApiError['code'];
      if (typeof problem.detail === 'string') detail = problem.detail;
      if (typeof problem.interview_status === 'string') {
        interviewStatus = problem.interview_status as SessionApiError['interviewStatus'];
      }
      if (typeof problem.completion_reason === 'string') {
        completionReason = problem.completion_reason as SessionApiError['completionReason'];
      }
    }
  } catch {
    // Not JSON (a proxy's error page, say): the status says enough.
  }
  return new SessionApiError({
    status: response.status,
    code,
    detail,
    requestId: response.headers.get('x-request-id'),
    retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    interviewStatus,
    completionReason,
  });
}

/**
 * A random UUID (v4) for `Idempotency-Key`. Not `crypto.randomUUID()`: that exists only in secure contexts,
 * and the widget may be embedded in a plain-HTTP page.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Waits, unless the signal aborts first (then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
