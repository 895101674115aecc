import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import type { Owner } from '../owner.ts';
import { lockEndpoint } from './endpoint-lock.ts';
import { type DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity.ts';
import { getEndpoint, requeued } from './webhook-endpoints.ts';

export interface DeliveryFilters extends PageRequest {
  status?: DeliveryStatus;
  event_id?: string;
}

export async function listDeliveries(
  em: EntityManager,
  owner: Owner,
  endpointId: string,
  filters: DeliveryFilters,
) {
  const endpoint = await getEndpoint(em, owner, endpointId);
  const where: FilterQuery<WebhookDelivery>[] = [{ endpointId: endpoint.id }];
  if (filters.status) where.push({ status: filters.status });
  if (filters.event_id) where.push({ eventId: filters.event_id });
  return findPage(em, WebhookDelivery, { $and: where }, filters);
}

/**
 * Sends a delivery again now, whatever its status, with a fresh retry schedule. Not while an attempt of it is
 * in flight: that attempt reports on the delivery it claimed, and a fresh schedule starting now would only
 * send it twice at once, so the caller hears so (409) rather than a 202 that changed nothing.
 *
 * The endpoint is held (FOR SHARE, before the delivery: see `lockEndpoint`) so that a disable cannot commit
 * between the check that it is enabled and the write.
 */
export async function retryDelivery(em: EntityManager, owner: Owner, id: string): Promise<WebhookDelivery> {
  const delivery = await em.findOne(WebhookDelivery, {
    id,
    tenantId: owner.tenantId,
    livemode: owner.livemode,
  });
  if (!delivery) throw new ApiError('resource_missing', `No webhook delivery ${id}.`, { param: 'id' });
  await em.transactional(async (tx) => {
    const endpoint = await lockEndpoint(tx, delivery.endpointId, 'share');
    // Deleted meanwhile, and its deliveries with it.
    if (!endpoint) throw new ApiError('resource_missing', `No webhook delivery ${id}.`, { param: 'id' });
    if (!endpoint.enabled) {
      throw new ApiError(
        'invalid_state',
        `Webhook endpoint ${endpoint.id} is disabled: enable it, then retry.`,
      );
    }
    // Checked in the write itself, as a worker may claim the delivery after the read above.
    const now = new Date();
    const requeuedNow = await tx.nativeUpdate(
      WebhookDelivery,
      { id: delivery.id, $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }] },
      requeued(now),
    );
    if (requeuedNow === 0) {
      throw new ApiError(
        'invalid_state',
        `Webhook delivery ${id} has an attempt in flight: retry it once that attempt is recorded.`,
      );
    }
  });
  return em.fork().findOneOrFail(WebhookDelivery, delivery.id);
}
