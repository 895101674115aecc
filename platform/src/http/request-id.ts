import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { newId } from '../ids.ts';
import type { Metrics } from '../observability/metrics.ts';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
  }
}

/**
 * First in the stack: gives the request its id (also on error responses), a child logger that carries it,
 * one access-log line and one histogram sample per request. Routes are labelled by template, never by path,
 * so ids don't explode the metric's cardinality.
 */
export function requestContext(logger: Logger, metrics: Metrics): Middleware {
  return async function requestContextMiddleware(ctx, next) {
    const started = process.hrtime.bigint();
    const requestId = newId('request');
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ request_id: requestId });
    ctx.set('x-request-id', requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      metrics.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      ctx.state.log.info(
        { method: ctx.method, route, status: ctx.status, duration_ms: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    }
  };
}
