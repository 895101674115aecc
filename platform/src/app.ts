import cors from '@koa/cors';
import type Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import { adminRouter } from './admin/admin-routes.ts';
import { apiKeyOperations } from './api-keys/api-key-operations.ts';
import { blobRoutes } from './blobs/blob-routes.ts';
import { candidateOperations } from './candidates/candidate-operations.ts';
import { eventOperations } from './events/event-operations.ts';
import { apiRouter } from './http/api-router.ts';
import { noStoreByDefault } from './http/cache-control.ts';
import type { AnyOperation } from './http/operation.ts';
import { problemDetails } from './http/problem-middleware.ts';
import { requestContext } from './http/request-id.ts';
import { closeAfterUnreadBody } from './http/unread-body.ts';
import { interviewOperations } from './interviews/interview-operations.ts';
import { jobOperations } from './jobs/job-operations.ts';
import { liveKitSessionOperations } from './livekit/livekit-session-operations.ts';
import { operationsRouter } from './observability/operations-routes.ts';
import type { OpenApiDocument } from './openapi/spec.ts';
import { scorecardOperations } from './scoring/scorecard-operations.ts';
import type { Services } from './services.ts';
import { interviewSessionOperations } from './sessions/interview-session-operations.ts';
import { sessionOperations } from './sessions/session-operations.ts';
import { sessionPagesRouter } from './sessions/session-pages.ts';
import { transcriptOperations } from './transcripts/transcript-operations.ts';
import { webhookOperations } from './webhooks/webhook-operations.ts';
import { sdkFilesRouter } from './widget/sdk-files.ts';

/** Every /v1 operation; the spec decides their paths. */
export const operations: AnyOperation[] = [
  ...apiKeyOperations,
  ...jobOperations,
  ...candidateOperations,
  ...interviewOperations,
  ...interviewSessionOperations,
  ...transcriptOperations,
  ...scorecardOperations,
  ...sessionOperations,
  ...liveKitSessionOperations,
  ...eventOperations,
  ...webhookOperations,
];

/**
 * The routers of the API contract; together they must match the spec's paths exactly (a test holds them to
 * it). The demo ATS is no part of the contract: it comes to `createApp` apart, as `pages`.
 */
export function routers(services: Services, spec: OpenApiDocument): Router[] {
  return [
    operationsRouter(services, spec),
    adminRouter(services, spec),
    apiRouter(services, spec, operations),
    blobRoutes(services.localBlobs),
    sessionPagesRouter(services),
  ];
}

/**
 * Assembles the HTTP app without listening, so tests run it in-process on port 0. `pages` are routers
 * outside the API contract (the demo ATS), served beside it with the widget's files.
 */
export function createApp(services: Services, spec: OpenApiDocument, pages: Router[] = []): Koa {
  const app = new Koa({ proxy: true });
  app.use(requestContext(services.logger, services.metrics));
  app.use(closeAfterUnreadBody());
  app.use(problemDetails());
  // The router matches paths in any letter case, so the API's prefixes are matched so too.
  app.use(noStoreByDefault(/^\/(v1|admin)(\/|$)/i));
  app.use(
    helmet({
      // The API serves JSON and files, never pages of its own (the docs route sets its own policy).
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      frameguard: { action: 'deny' },
      // Signed file links (résumés, recordings) are opened from the embedding ATS's pages.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('origin');
        const allowed = services.config.corsOrigins;
        return allowed.includes('*') || allowed.includes(origin) ? origin || '*' : '';
      },
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID'],
      exposeHeaders: [
        'x-request-id',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        'Retry-After',
        'Idempotent-Replayed',
      ],
      maxAge: 600,
    }),
  );
  for (const router of [...routers(services, spec), sdkFilesRouter(services.config.sdkDir), ...pages]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
