import type { ClosingReason } from '../engine/progress.ts';

/**
 * The one error type the API speaks. Every failure a client can cause or meet is one of these codes,
 * each mapped to a single HTTP status here, so the code is the stable contract and the status follows.
 */
export const errorStatus = {
  invalid_request: 400,
  invalid_json: 400,
  resource_missing: 404,
  invalid_reference: 400,
  unauthenticated: 401,
  invalid_api_key: 401,
  invalid_session_token: 401,
  insufficient_scope: 403,
  origin_not_allowed: 403,
  route_not_found: 404,
  method_not_allowed: 405,
  idempotency_key_in_use: 409,
  invalid_state: 409,
  transport_unavailable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

const titles: Record<ErrorCode, string> = {
  invalid_request: 'Invalid request',
  invalid_json: 'Malformed JSON',
  resource_missing: 'No such resource',
  invalid_reference: 'Referenced resource not found',
  unauthenticated: 'Authentication required',
  invalid_api_key: 'Invalid API key',
  invalid_session_token: 'Invalid session token',
  insufficient_scope: 'Insufficient scope',
  origin_not_allowed: 'Origin not allowed',
  route_not_found: 'Route not found',
  method_not_allowed: 'Method not allowed',
  idempotency_key_in_use: 'Idempotency key in use',
  invalid_state: 'Invalid state',
  transport_unavailable: 'Transport unavailable',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  idempotency_key_reused: 'Idempotency key reused',
  rate_limited: 'Too many requests',
  internal_error: 'Internal server error',
  service_unavailable: 'Service unavailable',
};

/** One failed check of a request against the spec, in JSON Pointer form. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export interface ApiErrorOptions {
  /** The request parameter at fault, when there is one (`job_id`, `limit`...). */
  param?: string;
  errors?: FieldError[];
  /** Members this occurrence adds to the problem (RFC 9457 extension members), each named in the spec. */
  extensions?: ProblemExtensions;
  headers?: Record<string, string>;
}

/** The extension members a few codes carry, documented on `Problem` in the spec. */
export interface ProblemExtensions {
  /** On a session token's `invalid_session_token`: the token's interview has ended, and how. */
  interview_status?: 'completed' | 'expired' | 'canceled';
  /** With `interview_status: completed`: why it ended, as `interview.completed` says. */
  completion_reason?: ClosingReason;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly param: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extensions: ProblemExtensions;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, options: ApiErrorOptions = {}) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.status = errorStatus[code];
    this.title = titles[code];
    this.param = options.param;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/** The body of every error response (RFC 9457 problem details plus our stable `code`). */
export interface Problem extends ProblemExtensions {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  param?: string;
  errors?: FieldError[];
}

export function problemOf(error: ApiError, requestId: string): Problem {
  return {
    type: `urn:viva:error:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    request_id: requestId,
    ...(error.param === undefined ? {} : { param: error.param }),
    ...(error.errors === undefined ? {} : { errors: error.errors }),
    ...error.extensions,
  };
}
