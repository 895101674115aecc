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
      let apiError = toApiError(error);
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
