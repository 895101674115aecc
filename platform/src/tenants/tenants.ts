import type { EntityManager } from '@mikro-orm/postgresql';
import { issueKey } from '../api-keys/api-keys.ts';
import { newId } from '../ids.ts';
import { Tenant } from './tenant.entity.ts';

export interface TenantInput {
  name: string;
  allowed_origins?: string[];
}

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

export function tenantResource(tenant: Tenant) {
  return {
    id: tenant.id,
    object: 'tenant' as const,
    name: tenant.name,
    allowed_origins: tenant.allowedOrigins,
    created_at: tenant.createdAt.toISOString(),
  };
}
