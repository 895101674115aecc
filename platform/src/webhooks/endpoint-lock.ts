import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WebhookEndpoint } from './webhook-endpoint.entity.ts';

/**
 * How a transaction holds an endpoint's row:
 * - `update` (FOR UPDATE): to change the endpoint, above all to disable it. It conflicts with the FOR KEY
 *   SHARE of a fan-out, so a disable and a fan-out never miss each other (see `fanOutEvents`).
 * - `share` (FOR SHARE): to requeue its deliveries only while it is enabled (a retry, a recovery). A disable
 *   waits for it, or it waits for the disable and then sees the endpoint disabled. Fan-outs go on meanwhile.
 */
export type EndpointLock = 'update' | 'share';

/** Find options that take `lock` on the row found, read afresh rather than from the identity map. */
export function lockOptions(lock: EndpointLock) {
  return {
    lockMode: lock === 'update' ? LockMode.PESSIMISTIC_WRITE : LockMode.PESSIMISTIC_READ,
    refresh: true,
  } as const;
}

/**
 * Locks an endpoint's row, for a transaction that goes on to write its deliveries.
 *
 * The lock order of webhooks: **the endpoint's row first, then its deliveries' rows.** A disable holds the
 * endpoint and fails every pending delivery of it, so anything that held a delivery and then waited for the
 * endpoint (recording an attempt's failure, or the success that ends a failing streak) would deadlock with
 * it. Every transaction that writes both keeps this order: `recordFailedAttempt`, `writeSuccesses`,
 * `updateEndpoint`, `recoverEndpoint` and `retryDelivery`. What writes deliveries and never waits for an
 * endpoint (a claim, a success on a healthy endpoint) cannot close a cycle.
 */
export async function lockEndpoint(
  em: EntityManager,
  id: string,
  lock: EndpointLock,
): Promise<WebhookEndpoint | null> {
  return em.findOne(WebhookEndpoint, id, lockOptions(lock));
}
