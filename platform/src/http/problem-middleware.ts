import type { Middleware } from 'koa';
import { isServiceUnavailable } from '../observability/outages.ts';
import { ApiError, type ErrorCode, problemOf } from './api-error.ts';

/** Errors raised by Koa's own machinery (body parsing and the like) carry a status; map them onto our codes. */
const codeForStatus: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * PostgreSQL's refusals of a value no request should have carried past validation: text with a NUL
 * character (22021, and 08P01 from `pq_getmsgend` when the ORM has written the value into the statement,
 * whose text a NUL cuts short), jsonb with one (22P05), a date-time it cannot read or hold (22007, 22008).
 * The input is at fault, so the client hears that, and nothing of the statement or the database's message.
 */
function refusedValue(error: unknown, depth = 0): ApiError | null {
  if (typeof error !== 'object' || error === null || depth > 3) return null;
  const { code, routine, cause } = error as { code?: unknown; routine?: unknown; cause?: unknown };
  if (code === '22021' || code === '22P05' || (code === '08P01' && routine === 'pq_getmsgend')) {
    return new ApiError(
      'invalid_request',
      'A value in the request contains a character that cannot be stored: the NUL character (U+0000).',
    );
  }
  if (code === '22007' || code === '22008') {
    return new ApiError('invalid_request', 'A date-time in the request is not one that can be stored.');
  }
  return refusedValue(cause, depth + 1);
}

function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  // A backing service that cannot be reached is the platform's outage, not a bug: the client should retry.
  if (isServiceUnavailable(error)) {
    return new ApiError(
      'service_unavailable',
      'A service the platform depends on is unavailable; retry shortly.',
      {
        headers: { 'Retry-After': '2' },
      },
    );
  }
  if (typeof error !== 'object' || error === null) return null;
  const { status, message, headers } = error as {
    status?: number;
    message?: string;
    headers?: Record<string, string>;
  };
  const code = status === undefined ? undefined : codeForStatus[status];
  if (!code) return null;
  // Keep headers the error carries, such as the Allow list of a 405.
  return new ApiError(code, message ?? 'The request could not be processed.', { headers: headers ?? {} });
}

/**
 * The one place errors become responses: application/problem+json with a stable code and the request id.
 * Anything unexpected is logged with its stack and answered with a bare 500 that reveals nothing.
 */
export function problemDetails(): Middleware {
  return async function problemDetailsMiddleware(ctx, next) {
    try {
      await next();
      // The routers answer an unmatched path or method with a bare status (and an Allow header): give it a body.
      if (ctx.body === undefined && ctx.status === 404) {
        throw new ApiError('route_not_found', `No route ${ctx.method} ${ctx.path}.`);
      }
      if (ctx.body === undefined && (ctx.status === 405 || ctx.status === 501)) {
        throw new ApiError('method_not_allowed', `${ctx.path} does not take ${ctx.method}.`);
      }
    } catch (error) {
      // Before the outage check, which takes every 08… code for a lost connection.
      const refused = refusedValue(error);
      // Logged in full: a value got past the request validator, which should have refused it.
      if (refused) ctx.state.log.warn({ err: error }, 'the database refused a value from the request');
      let apiError = refused ?? toApiError(error);
      if (apiError?.code === 'service_unavailable')
        ctx.state.log.warn({ err: error }, 'backing service unavailable');
      if (!apiError) {
        ctx.state.log.error({ err: error }, 'unhandled error');
        apiError = new ApiError('internal_error', 'Something went wrong on our side. It has been logged.');
      }
      ctx.status = apiError.status;
      ctx.set(apiError.headers);
      ctx.type = 'application/problem+json';
      ctx.body = JSON.stringify(problemOf(apiError, ctx.state.requestId));
    }
  };
}
