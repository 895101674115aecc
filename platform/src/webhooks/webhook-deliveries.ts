import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import type { Owner } from '../owner.ts';
import { type DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity.ts';
import { WebhookEndpoint } from './webhook-endpoint.entity.ts';
import { getEndpoint } from './webhook-endpoints.ts';

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

/** Sends a delivery again now, whatever its status, with a fresh retry schedule. */
export async function retryDelivery(em: EntityManager, owner: Owner, id: string): Promise<WebhookDelivery> {
  const delivery = await em.findOne(WebhookDelivery, {
    id,
    tenantId: owner.tenantId,
    livemode: owner.livemode,
  });
  if (!delivery) throw new ApiError('resource_missing', `No webhook delivery ${id}.`, { param: 'id' });
  const endpoint = await em.findOneOrFail(WebhookEndpoint, delivery.endpointId);
  if (!endpoint.enabled) {
    throw new ApiError(
      'invalid_state',
      `Webhook endpoint ${endpoint.id} is disabled: enable it, then retry.`,
    );
  }
  // An attempt in flight is left to finish: it reports on the delivery it claimed, and a fresh schedule
  // starting now would only send it twice at once. Checked in the write itself, as a worker may claim the
  // delivery after the read above.
  const now = new Date();
  await em.nativeUpdate(
    WebhookDelivery,
    { id: delivery.id, $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }] },
    { status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null, updatedAt: now },
  );
  return em.fork().findOneOrFail(WebhookDelivery, delivery.id);
}
