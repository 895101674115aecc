import type { Middleware } from 'koa';

/**
 * A response sent before its request's body was read to the end (an upload refused as too large, a bad key
 * refused before its body) leaves the rest of that body on the connection, which then cannot carry another
 * request: it says `Connection: close`, so the client opens a new one rather than find this one reset
 * under its next request.
 */
export function closeAfterUnreadBody(): Middleware {
  return async function closeAfterUnreadBody(ctx, next) {
    try {
      await next();
    } finally {
      if (!ctx.req.complete && !ctx.headerSent) ctx.set('Connection', 'close');
    }
  };
}
