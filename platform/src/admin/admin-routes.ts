import Router from '@koa/router';
import type { Context } from 'koa';
import { apiKeyResource } from '../api-keys/api-key-operations.ts';
import { type PageRequest, toPage } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import { parseJson, readBody } from '../http/read-body.ts';
import { createValidatorFactory } from '../openapi/request-validator.ts';
import { type OpenApiDocument, specRoutes, toRouterPath } from '../openapi/spec.ts';
import type { Services } from '../services.ts';
import {
  createTenant,
  issueTenantKey,
  listTenants,
  type TenantInput,
  type TenantKeyInput,
  type TenantUpdate,
  tenantResource,
  updateTenant,
} from '../tenants/tenants.ts';
import { adminGate } from './admin-auth.ts';

/** The operator's API. It sits outside /v1 and tenant keys mean nothing to it. */
export function adminRouter(services: Services, spec: OpenApiDocument): Router {
  const router = new Router();
  const gate = adminGate(services.config.adminKey);
  const validators = createValidatorFactory(spec);
  const routeOf = (operationId: string) => {
    const route = specRoutes(spec).find((r) => r.operation.operationId === operationId);
    if (!route) throw new Error(`The spec has no ${operationId} operation`);
    return { path: toRouterPath(route.path), validator: validators(route) };
  };
  /** The operator key, then a JSON body checked against the spec. */
  const input = async (ctx: Context, validator: ReturnType<typeof validators>) => {
    await gate.check(ctx);
    const bytes = await readBody(ctx, services.config.maxJsonBytes);
    if (!ctx.is('application/json')) {
      throw new ApiError('unsupported_media_type', 'Send the body as application/json.');
    }
    return validator.validate({ params: ctx.params, query: ctx.query, body: parseJson(bytes) });
  };

  const list = routeOf('listTenants');
  router.get('listTenants', list.path, async (ctx) => {
    await gate.check(ctx);
    const { query } = list.validator.validate({ params: ctx.params, query: ctx.query, body: undefined });
    const found = await listTenants(services.db.orm.em.fork(), query as PageRequest);
    ctx.status = 200;
    ctx.body = toPage(found, tenantResource);
  });

  const create = routeOf('createTenant');
  router.post('createTenant', create.path, async (ctx) => {
    const { body } = await input(ctx, create.validator);
    const created = await createTenant(services.db.orm.em.fork(), body as TenantInput);
    ctx.status = 201;
    ctx.body = { tenant: tenantResource(created.tenant), api_keys: created.keys };
  });

  const update = routeOf('updateTenant');
  router.patch('updateTenant', update.path, async (ctx) => {
    const { body, params } = await input(ctx, update.validator);
    const tenant = await updateTenant(services.db.orm.em.fork(), String(params.id), body as TenantUpdate);
    ctx.status = 200;
    ctx.body = tenantResource(tenant);
  });

  const issueKey = routeOf('createTenantApiKey');
  router.post('createTenantApiKey', issueKey.path, async (ctx) => {
    const { body, params } = await input(ctx, issueKey.validator);
    const issued = await issueTenantKey(services.db.orm.em.fork(), String(params.id), body as TenantKeyInput);
    ctx.status = 201;
    ctx.body = { ...apiKeyResource(issued.key), secret: issued.secret };
  });
  return router;
}
