import type { CompletionReason, InterviewError, InterviewErrorCode } from './types.ts';

/**
 * What the client's promises reject with: an `Error` (with a stack, for the console) that is also an
 * `InterviewError`, so a caller can branch on `code` whether it caught the rejection or heard the `error`
 * event.
 */
export class InterviewClientError extends Error implements InterviewError {
  /** The stable machine code to branch on. */
  readonly code: InterviewErrorCode;
  /** Whether trying again (`InterviewClient.retry()`) may help. */
  readonly retryable: boolean;
  /** The platform's request id, when the error came from a response. */
  readonly requestId?: string;

  constructor(error: InterviewError) {
    super(error.message);
    this.name = 'InterviewClientError';
    this.code = error.code;
    this.retryable = error.retryable;
    if (error.requestId !== undefined) this.requestId = error.requestId;
  }

  /** The plain, frozen `InterviewError` that state and events carry. */
  toInterviewError(): InterviewError {
    return Object.freeze({
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
    });
  }
}

/**
 * The platform refused the session token because the interview was completed (a `401` whose problem says so):
 * the client missed `interview.completed` (it was offline at the end) and shows the completion instead. To
 * anyone catching it before that, a `session_invalid` like any other.
 */
export class InterviewEndedError extends InterviewClientError {
  readonly reason: CompletionReason;

  constructor(reason: CompletionReason, message: string, requestId?: string) {
    super({ code: 'session_invalid', message, retryable: false, ...(requestId ? { requestId } : {}) });
    this.reason = reason;
  }
}
