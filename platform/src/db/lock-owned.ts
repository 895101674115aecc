import { type EntityName, type FilterQuery, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiError } from '../http/api-error.ts';
import type { Owner } from '../owner.ts';

/**
 * One of the owner's rows, locked for the rest of the transaction and read afresh rather than from the
 * identity map: writes to it queue on the lock, and each starts from what the one before it committed (the
 * engine's and the sweeper's steps included). 404 when the owner has no such row, as for another tenant's.
 */
export async function lockOwned<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  owner: Owner,
  id: string,
  noun: string,
  where: Record<string, unknown> = {},
): Promise<T> {
  const row = await em.findOne<T>(
    entity,
    { id, tenantId: owner.tenantId, livemode: owner.livemode, ...where } as FilterQuery<NoInfer<T>>,
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!row) throw new ApiError('resource_missing', `No ${noun} ${id}.`, { param: 'id' });
  return row;
}
