import Router from '@koa/router';
import { liveKitConnectOrigins } from '../livekit/page-origins.ts';
import type { Services } from '../services.ts';
import { joinPage } from '../widget/join-page.ts';
import { widgetBuilt } from '../widget/sdk-files.ts';

/** Unauthenticated pages and keys around sessions: the JWKS that verifies tokens, the candidate's join page. */
export function sessionPagesRouter(services: Services): Router {
  const router = new Router();
  router.get('getJsonWebKeySet', '/.well-known/jwks.json', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = await services.signingKeys.jwks();
  });
  // The widget on the join page joins the interview's LiveKit room when the platform has one.
  const connectOrigins = liveKitConnectOrigins(services.config.livekit?.url);
  router.get('getJoinPage', '/join', async (ctx) => {
    const page = joinPage({ widget: await widgetBuilt(services.config.sdkDir), connectOrigins });
    ctx.set('Content-Security-Policy', page.contentSecurityPolicy);
    ctx.set('Referrer-Policy', 'no-referrer');
    // The page is the same for every candidate, but whether the widget is built may change under it.
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html';
    ctx.body = page.html;
  });
  return router;
}
