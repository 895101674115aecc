import Router from '@koa/router';
import type { OpenApiDocument } from '../openapi/spec.ts';
import type { Services } from '../services.ts';

type Check = 'ok' | 'error' | 'disabled';

async function probe(run: () => Promise<unknown>): Promise<Check> {
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
    ]);
    return 'ok';
  } catch {
    return 'error';
  }
}

/**
 * Redoc's standalone bundle, pinned: the page is a shell, the spec is ours and served beside it, named
 * relative to the page so that it is found under a public URL with a path too.
 */
const redocScript = 'https://cdn.redoc.ly/redoc/v2.5.2/bundles/redoc.standalone.js';
const docsPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Viva API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="openapi.json"></redoc><script src="${redocScript}"></script></body>
</html>`;

/** Liveness, readiness, metrics, the spec and its rendered docs: unauthenticated, for operators and tools. */
export function operationsRouter(services: Services, spec: OpenApiDocument): Router {
  const router = new Router();
  const specJson = JSON.stringify(spec);

  router.get('healthz', '/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('readyz', '/readyz', async (ctx) => {
    const em = services.db.orm.em.fork();
    const checks: Record<'database' | 'redis' | 'blobs', Check> = {
      database: await probe(() => em.getConnection().execute('select 1')),
      // Both connections: the one requests ask falls back quietly, so only readiness tells it is cut off.
      redis: services.redis
        ? await probe(() => Promise.all([services.redis?.ping(), services.requestRedis?.ping()]))
        : 'disabled',
      blobs: await probe(() => services.blobs.check()),
    };
    const ready = !Object.values(checks).includes('error');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'error', checks };
  });

  router.get('metrics', '/metrics', async (ctx) => {
    ctx.type = services.metrics.registry.contentType;
    ctx.body = await services.metrics.registry.metrics();
  });

  router.get('openapi', '/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = specJson;
  });

  router.get('docs', '/docs', (ctx) => {
    // The page names its spec relative to itself; from `/docs/` that would be `/docs/openapi.json`.
    if (ctx.path.endsWith('/')) {
      ctx.redirect('../docs');
      return;
    }
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src https://cdn.redoc.ly 'unsafe-eval'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src https://fonts.gstatic.com; img-src 'self' data: https:; worker-src blob:; connect-src 'self'",
    );
    ctx.type = 'text/html';
    ctx.body = docsPage;
  });
  return router;
}
