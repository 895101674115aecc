import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import type { Services } from '../services.ts';

const joinPage = readFileSync(new URL('./join-page.html', import.meta.url), 'utf8');

/** Unauthenticated pages and keys around sessions: the JWKS that verifies tokens, the candidate's join page. */
export function sessionPagesRouter(services: Services): Router {
  const router = new Router();
  router.get('getJsonWebKeySet', '/.well-known/jwks.json', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = await services.signingKeys.jwks();
  });
  router.get('getJoinPage', '/join', (ctx) => {
    // The page talks only to this origin's API; the token arrives in the URL fragment, never in a request line.
    ctx.set(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; media-src 'self' blob: data:; img-src 'self' https: data:; frame-ancestors 'none'",
    );
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.type = 'text/html';
    ctx.body = joinPage;
  });
  return router;
}
