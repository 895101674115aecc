import { InterviewClientError } from './interview-error.ts';
import { type RetryPolicy, retryDelay } from './retry-policy.ts';
import { type Answer, type AnswerBody, newIdempotencyKey } from './session-api.ts';
import { SessionApiError, SessionConnectionError, toInterviewClientError } from './session-api-error.ts';

export interface AnswerQueueOptions {
  /** Sends one answer, once (the queue does the retrying, so it can wait for the right moment). */
  submit(body: AnswerBody, idempotencyKey: string, signal: AbortSignal): Promise<Answer>;
  /** The number of answers not yet acknowledged changed. */
  onPendingChange(pending: number): void;
  /** The platform refused the session (401, 403): nothing more can be sent. */
  onFatal(error: InterviewClientError): void;
  retry?: Partial<RetryPolicy>;
}

interface QueuedAnswer {
  body: AnswerBody;
  /** Kept across retries after a failure on the way; replaced after a 409, whose refusal it would replay. */
  idempotencyKey: string;
  /** `#replies` when it was first sent under this key: a reply seen since came after it was committed. */
  repliesAtSend: number | null;
  resolve(answer: Answer): void;
  reject(error: InterviewClientError): void;
}

// Between two tries of an answer that could not be delivered; the stream's return cuts the wait short.
const defaultQueueRetry: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 1000,
  maxDelayMs: 10_000,
};

/**
 * The candidate's answers on their way to the platform, in order, one at a time, and never lost: an answer
 * that is not acknowledged stays here and goes again (with the same `Idempotency-Key`, so the platform counts
 * it once) until it is. It is sent only when the platform's latest `state` said it is the candidate's turn.
 *
 * The events and the answer's response race each other, so "latest" needs care:
 * - After an accepted answer, the next one waits for a `state` that came after that answer's own
 *   `candidate.transcript` (the platform sends them in that order), whether those events arrived before the
 *   `202` or after it. The platform publishes that transcript once, and goes on without it if it cannot
 *   (the answer stands): the interviewer's reply to the answer then stands in for it.
 * - After a `409` (the turn had moved on), it waits for a `state` that came after the refused request was
 *   sent, and goes with a new key.
 */
export class AnswerQueue {
  readonly #options: AnswerQueueOptions;
  readonly #policy: RetryPolicy;
  readonly #queue: QueuedAnswer[] = [];
  readonly #abort = new AbortController();
  #turnIsCandidate = false;
  /** Counts `state` events; an answer goes only on a `state` newer than `#sendAfterState`. */
  #stateCount = 0;
  #sendAfterState = -1;
  /** The accepted answer whose `candidate.transcript` has not come yet: nothing goes before it does. */
  #awaitedTranscript: string | null = null;
  /**
   * Signs that the interviewer took its turn (a `state` of `turn: interviewer`, an `interviewer.done`): how many
   * so far, and `#stateCount` at the latest, after which a `state` of `turn: candidate` is the candidate's next.
   */
  #replies = 0;
  #lastReplyAtState = -1;
  /** `#stateCount` when each answer's `candidate.transcript` arrived. */
  readonly #transcriptsAt = new Map<string, number>();
  #sending = false;
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set once the interview is over: why an answer could not be delivered. */
  #closed: InterviewClientError | null = null;
  #emptied: (() => void)[] = [];

  constructor(options: AnswerQueueOptions) {
    this.#options = options;
    this.#policy = { ...defaultQueueRetry, ...options.retry };
  }

  /** Answers not yet acknowledged, the one on its way included. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues an answer; resolves with the platform's acknowledgement, rejects only if it refused the answer. */
  add(body: AnswerBody): Promise<Answer> {
    if (this.#closed) {
      return Promise.reject(
        new InterviewClientError({
          code: 'answer_rejected',
          message: 'The interview is over.',
          retryable: false,
        }),
      );
    }
    const answer = new Promise<Answer>((resolve, reject) => {
      this.#queue.push({ body, idempotencyKey: newIdempotencyKey(), repliesAtSend: null, resolve, reject });
    });
    this.#options.onPendingChange(this.#queue.length);
    this.#pump();
    return answer;
  }

  /** Resolves once every queued answer is acknowledged or refused, or after `timeoutMs`, whichever is first. */
  settled(timeoutMs: number): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#emptied.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A `state` event arrived, saying whose turn it is. */
  stateChanged(turn: 'interviewer' | 'candidate' | 'none'): void {
    this.#stateCount += 1;
    this.#turnIsCandidate = turn === 'candidate';
    if (turn === 'interviewer') this.#replied();
    // Either turn after the acknowledgement: the platform has moved on past the answer, and its transcript,
    // which comes before any `state` that follows the answer, was lost. A `state` of `turn: candidate` published
    // just before the answer was committed may arrive this late; an answer it lets go gets a 409, which corrects.
    if (this.#awaitedTranscript !== null && turn !== 'none')
      this.#stopAwaitingTranscript(this.#stateCount - 1);
    this.#pump();
  }

  /** An `interviewer.done` arrived: the interviewer has replied, to the latest answer at least. */
  interviewerDone(): void {
    this.#replied();
    if (this.#awaitedTranscript !== null) this.#stopAwaitingTranscript(this.#stateCount);
    this.#pump();
  }

  /** A `candidate.transcript` arrived: the platform committed this answer turn. */
  transcriptArrived(turnId: string): void {
    this.#transcriptsAt.set(turnId, this.#stateCount);
    if (this.#awaitedTranscript !== turnId) return;
    this.#awaitedTranscript = null;
    this.#sendAfterState = this.#stateCount;
    this.#pump();
  }

  /** The connection is back: an answer waiting out a failure goes now rather than at the end of its wait. */
  connectionRestored(): void {
    if (this.#awaitedTranscript !== null) {
      // The awaited transcript may be lost for good (events do not survive a platform restart without
      // Redis); the fresh `state` every connection gets decides, and a 409 corrects a stale one.
      this.#awaitedTranscript = null;
      this.#sendAfterState = this.#stateCount;
    }
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#pump();
  }

  /**
   * The interview is over: what is still queued can no longer be delivered. The answer already on its way may
   * have been committed just before the end (its transcript and the completion can beat its `202` here), so
   * unless `abortInFlight`, it is left to its response, which alone knows.
   */
  close(reason: string, { abortInFlight = true }: { abortInFlight?: boolean } = {}): void {
    if (abortInFlight) this.#abort.abort();
    if (this.#closed) return;
    const error = new InterviewClientError({ code: 'answer_rejected', message: reason, retryable: false });
    this.#closed = error;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    const keep = this.#sending && !abortInFlight ? 1 : 0;
    for (const answer of this.#queue.splice(keep)) answer.reject(error);
    this.#changed();
  }

  #replied(): void {
    this.#replies += 1;
    this.#lastReplyAtState = this.#stateCount;
  }

  /** The awaited transcript is not coming; the next answer goes on a `state` newer than `afterState`. */
  #stopAwaitingTranscript(afterState: number): void {
    this.#awaitedTranscript = null;
    this.#sendAfterState = Math.max(this.#sendAfterState, afterState);
  }

  #pump(): void {
    if (this.#closed || this.#sending || this.#retryTimer !== null) return;
    const next = this.#queue[0];
    if (!next || this.#awaitedTranscript !== null) return;
    if (!this.#turnIsCandidate || this.#stateCount <= this.#sendAfterState) return;
    this.#sending = true;
    void this.#send(next).finally(() => {
      this.#sending = false;
      this.#pump();
    });
  }

  async #send(answer: QueuedAnswer): Promise<void> {
    const sentAtState = this.#stateCount;
    answer.repliesAtSend ??= this.#replies;
    const repliesAtSend = answer.repliesAtSend;
    try {
      const acknowledged = await this.#options.submit(answer.body, answer.idempotencyKey, this.#abort.signal);
      this.#failures = 0;
      // The platform's turn now: the next answer waits for a `state` after this answer's transcript.
      const transcriptAt = this.#transcriptsAt.get(acknowledged.turn_id);
      if (transcriptAt !== undefined) this.#sendAfterState = transcriptAt;
      // Its reply began (or ended) before the 202 came, with no transcript ahead of it: the transcript was lost.
      else if (this.#replies > repliesAtSend) {
        this.#sendAfterState = Math.max(this.#sendAfterState, this.#lastReplyAtState);
      } else this.#awaitedTranscript = acknowledged.turn_id;
      this.#remove(answer);
      answer.resolve(acknowledged);
    } catch (error) {
      if (this.#closed) {
        // Over while on its way, and not acknowledged: not tried again.
        if (this.#queue.includes(answer)) this.#remove(answer);
        answer.reject(this.#closed);
        return;
      }
      this.#failed(answer, error, sentAtState);
    }
  }

  #failed(answer: QueuedAnswer, error: unknown, sentAtState: number): void {
    if (error instanceof SessionApiError && error.code === 'invalid_state') {
      // Not the candidate's turn after all (our `state` was behind): wait for a `state` newer than the request,
      // and send with a new key, as the old one would replay this refusal.
      answer.idempotencyKey = newIdempotencyKey();
      answer.repliesAtSend = null;
      this.#sendAfterState = Math.max(this.#sendAfterState, sentAtState);
      return;
    }
    const retryable =
      error instanceof SessionConnectionError || (error instanceof SessionApiError && error.retryable);
    if (retryable) {
      this.#failures += 1;
      const asked = error instanceof SessionApiError ? error.retryAfterMs : null;
      const delay = retryDelay(this.#failures, this.#policy, asked);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        this.#pump();
      }, delay);
      return;
    }
    const refusal = toInterviewClientError(error, 'answer');
    if (refusal.code === 'session_invalid' || refusal.code === 'origin_not_allowed') {
      this.#options.onFatal(refusal);
      // The queue is closed now; after a completion, this answer (the one on its way) was left to its
      // response, which is this refusal.
      if (this.#queue.includes(answer)) {
        this.#remove(answer);
        answer.reject(this.#closed ?? refusal);
      }
      return;
    }
    this.#remove(answer);
    answer.reject(refusal);
  }

  #remove(answer: QueuedAnswer): void {
    const at = this.#queue.indexOf(answer);
    if (at >= 0) this.#queue.splice(at, 1);
    this.#changed();
  }

  #changed(): void {
    this.#options.onPendingChange(this.#queue.length);
    if (this.#queue.length === 0) for (const resolve of this.#emptied.splice(0)) resolve();
  }
}
