import type { components } from '@viva/openapi/types';
import { InterviewClientError, InterviewEndedError } from './interview-error.ts';
import { isRetryableStatus } from './retry-policy.ts';

type PlatformErrorCode = components['schemas']['ErrorCode'];
type Problem = components['schemas']['Problem'];

/** A response from the platform that was not a success: the problem+json it sent, and where to quote it. */
export class SessionApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The platform's stable error code (`invalid_session_token`, `invalid_state`...), when it sent one. */
  readonly code: PlatformErrorCode | null;
  /** The platform's explanation (`detail`), or the status text when the body was not problem+json. */
  readonly detail: string;
  /** The `x-request-id` of the response, to quote to support. */
  readonly requestId: string | null;
  /** What `Retry-After` asked for, in milliseconds. */
  readonly retryAfterMs: number | null;
  /** On `invalid_session_token`: how the token's interview ended, when it has. */
  readonly interviewStatus: Problem['interview_status'] | null;
  /** With `interviewStatus` `completed`: why. */
  readonly completionReason: Problem['completion_reason'] | null;

  constructor(o: {
    status: number;
    code: PlatformErrorCode | null;
    detail: string;
    requestId: string | null;
    retryAfterMs: number | null;
    interviewStatus?: Problem['interview_status'] | null;
    completionReason?: Problem['completion_reason'] | null;
  }) {
    super(`${o.status}${o.code ? ` ${o.code}` : ''}: ${o.detail}`);
    this.name = 'SessionApiError';
    this.status = o.status;
    this.code = o.code;
    this.detail = o.detail;
    this.requestId = o.requestId;
    this.retryAfterMs = o.retryAfterMs;
    this.interviewStatus = o.interviewStatus ?? null;
    this.completionReason = o.completionReason ?? null;
  }

  /** Whether the same request may succeed later. */
  get retryable(): boolean {
    return isRetryableStatus(this.status) || this.code === 'idempotency_key_in_use';
  }
}

/** The platform could not be reached: no response at all (offline, connection reset, timeout). */
export class SessionConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionConnectionError';
  }
}

/**
 * The one place where what went wrong on the wire becomes what the candidate is told. `context` names the
 * request, so a refused answer reads as one.
 */
export function toInterviewClientError(
  error: unknown,
  context: 'answer' | 'other' = 'other',
): InterviewClientError {
  if (error instanceof InterviewClientError) return error;
  if (error instanceof SessionConnectionError) {
    return new InterviewClientError({
      code: 'network',
      message: 'The interview service could not be reached.',
      retryable: true,
    });
  }
  if (!(error instanceof SessionApiError)) {
    return new InterviewClientError({
      code: 'unknown',
      message: error instanceof Error ? error.message : String(error),
      retryable: true,
    });
  }
  const requestId = error.requestId ?? undefined;
  const from = (code: InterviewClientError['code'], retryable: boolean, message = error.detail) =>
    new InterviewClientError({ code, message, retryable, ...(requestId ? { requestId } : {}) });
  if (error.status === 401) {
    if (error.interviewStatus === 'completed' && error.completionReason) {
      return new InterviewEndedError(error.completionReason, error.detail, requestId);
    }
    if (error.interviewStatus === 'canceled')
      return from('session_invalid', false, 'The interview was canceled.');
    if (error.interviewStatus === 'expired')
      return from('session_invalid', false, 'The interview has expired.');
    return from('session_invalid', false);
  }
  if (error.code === 'origin_not_allowed') return from('origin_not_allowed', false);
  if (error.status === 429 || error.status === 502 || error.status === 503 || error.status === 504) {
    return from('network', true);
  }
  if (error.status >= 500) return from('unknown', true);
  if (context === 'answer' && error.code !== 'invalid_state') return from('answer_rejected', false);
  return from('unknown', false);
}
