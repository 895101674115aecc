import type { Middleware } from 'koa';

/**
 * `Cache-Control: no-store` on every response to a path `paths` matches, errors included, unless its route
 * sets a policy of its own. The API's answers carry secrets shown once (a new API key, a session token, a
 * tenant's first keys) and personal data (a candidate's export): no proxy or browser may keep a copy.
 * Set before the route runs, so a route that needs more (the event stream adds `no-transform`) replaces it.
 */
export function noStoreByDefault(paths: RegExp): Middleware {
  return async function noStoreByDefault(ctx, next) {
    if (paths.test(ctx.path)) ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
