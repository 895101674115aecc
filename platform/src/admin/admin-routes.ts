import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { ApiError } from '../http/api-error.ts';
import { parseJson, readBody } from '../http/read-body.ts';
import { createValidatorFactory } from '../openapi/request-validator.ts';
import { type OpenApiDocument, specRoutes, toRouterPath } from '../openapi/spec.ts';
import type { Services } from '../services.ts';
import { createTenant, type TenantInput, tenantResource } from '../tenants/tenants.ts';

function requireAdmin(ctx: Context, adminKey: string | null): void {
  const header = ctx.get('authorization');
  const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const matches =
    adminKey !== null &&
    given !== undefined &&
    given.length === adminKey.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(adminKey));
  if (!matches) {
    const detail =
      adminKey === null
        ? 'The operator API is off: set VIVA_ADMIN_KEY to enable it.'
        : 'Send the operator key as "Authorization: Bearer $VIVA_ADMIN_KEY".';
    throw new ApiError('unauthenticated', detail, {
      headers: { 'WWW-Authenticate': 'Bearer realm="viva-admin"' },
    });
  }
}

/** The operator's API. It sits outside /v1 and tenant keys mean nothing to it. */
export function adminRouter(services: Services, spec: OpenApiDocument): Router {
  const router = new Router();
  const route = specRoutes(spec).find((r) => r.operation.operationId === 'createTenant');
  if (!route) throw new Error('The spec has no createTenant operation');
  const validator = createValidatorFactory(spec)(route);
  router.post('createTenant', toRouterPath(route.path), async (ctx) => {
    requireAdmin(ctx, services.config.adminKey);
    const bytes = await readBody(ctx, services.config.maxJsonBytes);
    if (!ctx.is('application/json')) {
      throw new ApiError('unsupported_media_type', 'Send the body as application/json.');
    }
    const { body } = validator.validate({ params: {}, query: ctx.query, body: parseJson(bytes) });
    const created = await createTenant(services.db.orm.em.fork(), body as TenantInput);
    ctx.status = 201;
    ctx.body = { tenant: tenantResource(created.tenant), api_keys: created.keys };
  });
  return router;
}
