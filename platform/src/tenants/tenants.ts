import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiKey } from '../api-keys/api-key.entity.ts';
import { type ApiKeyInput, issueKey } from '../api-keys/api-keys.ts';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import { Tenant } from './tenant.entity.ts';

export interface TenantInput {
  name: string;
  allowed_origins?: string[];
  logo_url?: string | null;
}

export type TenantUpdate = Partial<TenantInput>;

export interface NewTenant {
  tenant: Tenant;
  keys: { test: string; live: string };
}

/** A tenant is born with one full-access key per mode, in the same transaction: never a tenant without keys. */
export async function createTenant(em: EntityManager, input: TenantInput): Promise<NewTenant> {
  return em.transactional(async (tx) => {
    const tenant = tx.create(Tenant, {
      id: newId('tenant'),
      name: input.name,
      allowedOrigins: input.allowed_origins ?? [],
      logoUrl: input.logo_url ?? null,
      createdAt: new Date(),
    });
    // Keys reference the tenant, and the rows carry no ORM relation to order the inserts by.
    await tx.flush();
    const test = issueKey(tx, { tenantId: tenant.id, livemode: false }, { name: 'Default test key' });
    const live = issueKey(tx, { tenantId: tenant.id, livemode: true }, { name: 'Default live key' });
    await tx.flush();
    return { tenant, keys: { test: test.secret, live: live.secret } };
  });
}

/** Changes what the operator sent and nothing else. */
export async function updateTenant(em: EntityManager, id: string, update: TenantUpdate): Promise<Tenant> {
  const tenant = await em.findOne(Tenant, id);
  if (!tenant) throw new ApiError('resource_missing', `No tenant ${id}.`, { param: 'id' });
  if (update.name !== undefined) tenant.name = update.name;
  if (update.allowed_origins !== undefined) tenant.allowedOrigins = update.allowed_origins;
  if (update.logo_url !== undefined) tenant.logoUrl = update.logo_url;
  await em.flush();
  return tenant;
}

/** Every tenant, newest first, a page at a time: the operator's view, across all of them. */
export async function listTenants(em: EntityManager, page: PageRequest) {
  return findPage(em, Tenant, {}, page);
}

export interface TenantKeyInput extends ApiKeyInput {
  mode: 'test' | 'live';
}

/**
 * A key the operator issues a tenant: the way back in for a tenant that lost or revoked all its keys, so
 * unlike a key a tenant makes itself it is bounded by nothing but the expiry asked for.
 */
export async function issueTenantKey(
  em: EntityManager,
  tenantId: string,
  input: TenantKeyInput,
): Promise<{ key: ApiKey; secret: string }> {
  const tenant = await em.findOne(Tenant, tenantId);
  if (!tenant) throw new ApiError('resource_missing', `No tenant ${tenantId}.`, { param: 'id' });
  if (input.expires_at !== undefined && new Date(input.expires_at) <= new Date()) {
    throw new ApiError('invalid_request', 'expires_at must be in the future.', {
      param: 'expires_at',
      errors: [{ pointer: '/body/expires_at', detail: 'must be in the future' }],
    });
  }
  const { mode, ...key } = input;
  const issued = issueKey(em, { tenantId, livemode: mode === 'live' }, key);
  await em.flush();
  return issued;
}

export function tenantResource(tenant: Tenant) {
  return {
    id: tenant.id,
    object: 'tenant' as const,
    name: tenant.name,
    allowed_origins: tenant.allowedOrigins,
    logo_url: tenant.logoUrl ?? null,
    created_at: tenant.createdAt.toISOString(),
  };
}
