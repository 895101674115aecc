import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface PageRequest {
  limit?: number;
  starting_after?: string;
}

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
}

export const defaultPageSize = 20;

/**
 * Newest first, cursor by id. Ids sort by creation time, so `starting_after` is a position, not a row:
 * a cursor whose object was deleted meanwhile still pages on from where it stood.
 */
export async function findPage<Entity extends { id: string }>(
  em: EntityManager,
  entity: EntityName<Entity>,
  where: FilterQuery<Entity>,
  page: PageRequest,
): Promise<{ items: Entity[]; hasMore: boolean }> {
  const limit = page.limit ?? defaultPageSize;
  const cursor = page.starting_after ? { id: { $lt: page.starting_after } } : {};
  const rows = await em.find(entity, { $and: [where, cursor] } as FilterQuery<Entity>, {
    orderBy: { id: 'desc' } as never,
    limit: limit + 1,
  });
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** The body of a successful DELETE: the id, what it was, and that it is gone. */
export function deletedObject<const Kind extends string>(id: string, object: Kind) {
  return { id, object, deleted: true as const };
}

export function toPage<Entity, Resource>(
  found: { items: Entity[]; hasMore: boolean },
  shape: (row: Entity) => Resource,
): Page<Resource> {
  return { object: 'list', data: found.items.map(shape), has_more: found.hasMore };
}
