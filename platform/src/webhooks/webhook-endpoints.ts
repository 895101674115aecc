import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { recordEvent } from '../events/record-event.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import { updateMetadata } from '../metadata.ts';
import type { Owner } from '../owner.ts';
import { checkWebhookUrl } from './address-policy.ts';
import { type EndpointLock, lockOptions } from './endpoint-lock.ts';
import { WebhookDelivery } from './webhook-delivery.entity.ts';
import { type DisabledReason, type EnabledEvent, WebhookEndpoint } from './webhook-endpoint.entity.ts';
import { webhookEndpointResource } from './webhook-resources.ts';
import { newWebhookSecret } from './webhook-signature.ts';

/** How long a rotated-out secret keeps signing beside the new one. */
export const secretOverlapMs = 24 * 60 * 60 * 1000;
/** Secrets that sign at once at most: the current one and the two before it, each within its 24 hours. */
export const maxSecrets = 3;
/**
 * Endpoints one tenant may have in each mode, as Stripe allows. Deliveries share the workers' slots by tenant
 * only while endpoints are slow (see `DeliveryWorker`); this bounds how many endpoints a tenant's backlog is
 * spread over, and the fan-out work one event costs.
 */
export const maxEndpointsPerMode = 16;
/** Any fixed number: with a hash of tenant and mode, the advisory lock that serializes endpoint creation. */
const endpointCreationLock = 0x77656265;
/** How far back `recover` reaches. */
export const recoverWindowMs = 14 * 24 * 60 * 60 * 1000;

export interface EndpointPolicy {
  allowPrivateNetworks: boolean;
  /** Where a refused URL is logged with what the tenant is not told. */
  logger: Logger;
}

export interface CreateEndpointInput {
  url: string;
  description?: string | null;
  enabled_events: EnabledEvent[];
  metadata?: Record<string, string>;
}

export interface UpdateEndpointInput {
  url?: string;
  description?: string | null;
  enabled_events?: EnabledEvent[];
  enabled?: boolean;
  metadata?: Record<string, string | null>;
}

async function assertUrl(url: string, owner: Owner, policy: EndpointPolicy): Promise<void> {
  const checked = await checkWebhookUrl(url, {
    livemode: owner.livemode,
    allowPrivateNetworks: policy.allowPrivateNetworks,
  });
  if (checked.ok) return;
  if (checked.resolved) {
    // Someone may be mapping the platform's network through refusals: worth an operator's eye.
    policy.logger.warn(
      { tenant_id: owner.tenantId, host: new URL(url).hostname, ...checked.resolved },
      'webhook URL refused: its host resolves to a non-public address',
    );
  }
  throw new ApiError('invalid_request', checked.reason, { param: 'url' });
}

/**
 * Registers an endpoint, up to `maxEndpointsPerMode` per tenant and mode. The count and the insert run under
 * an advisory lock of the tenant and mode: two creations at once would otherwise both count 15 and both
 * insert. Not a lock on the tenant's row, which every insert of the tenant's objects references.
 */
export async function createEndpoint(
  em: EntityManager,
  owner: Owner,
  policy: EndpointPolicy,
  input: CreateEndpointInput,
): Promise<WebhookEndpoint> {
  await assertUrl(input.url, owner, policy);
  return em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(?, hashtext(?))', [
      endpointCreationLock,
      `${owner.tenantId}:${owner.livemode}`,
    ]);
    const existing = await tx.count(WebhookEndpoint, { tenantId: owner.tenantId, livemode: owner.livemode });
    if (existing >= maxEndpointsPerMode) {
      const mode = owner.livemode ? 'live' : 'test';
      throw new ApiError(
        'invalid_request',
        `This account already has ${existing} ${mode} mode webhook endpoints, the most it may have: delete one to add another.`,
      );
    }
    const now = new Date();
    return tx.create(WebhookEndpoint, {
      id: newId('webhookEndpoint'),
      tenantId: owner.tenantId,
      livemode: owner.livemode,
      url: input.url,
      description: input.description ?? null,
      enabledEvents: input.enabled_events,
      enabled: true,
      disabledReason: null,
      secrets: [{ secret: newWebhookSecret(), expiresAt: null }],
      metadata: input.metadata ?? {},
      failingSince: null,
      lastFailureAt: null,
      createdAt: now,
      updatedAt: now,
    });
  });
}

/** The caller's endpoint, its row locked as `lock` says (see `lockEndpoint` for the order to keep). */
export async function getEndpoint(
  em: EntityManager,
  owner: Owner,
  id: string,
  lock?: EndpointLock,
): Promise<WebhookEndpoint> {
  const endpoint = await em.findOne(
    WebhookEndpoint,
    { id, tenantId: owner.tenantId, livemode: owner.livemode },
    lock ? lockOptions(lock) : {},
  );
  if (!endpoint) throw new ApiError('resource_missing', `No webhook endpoint ${id}.`, { param: 'id' });
  return endpoint;
}

export async function listEndpoints(em: EntityManager, owner: Owner, page: PageRequest) {
  return findPage(em, WebhookEndpoint, { tenantId: owner.tenantId, livemode: owner.livemode }, page);
}

/**
 * Applies a PATCH in one transaction, with the row locked for update: a disable and its deliveries'
 * failure commit together, and a fan-out running meanwhile (it reads endpoints FOR KEY SHARE) either
 * finishes first, and its pending deliveries are failed with the others, or waits and sees the endpoint
 * disabled.
 */
export async function updateEndpoint(
  em: EntityManager,
  owner: Owner,
  policy: EndpointPolicy,
  id: string,
  input: UpdateEndpointInput,
): Promise<WebhookEndpoint> {
  // The URL check may resolve DNS, which can take seconds: done before the row is locked, so that no
  // fan-out waits on it. Read in a fork of its own, so that the transaction below reads the row afresh.
  const current = await getEndpoint(em.fork(), owner, id);
  const newUrl = input.url !== undefined && input.url !== current.url ? input.url : undefined;
  if (newUrl !== undefined) await assertUrl(newUrl, owner, policy);
  return em.transactional(async (tx) => {
    const endpoint = await getEndpoint(tx, owner, id, 'update');
    if (newUrl !== undefined) endpoint.url = newUrl;
    if (input.description !== undefined) endpoint.description = input.description;
    if (input.enabled_events !== undefined) endpoint.enabledEvents = input.enabled_events;
    if (input.metadata !== undefined) {
      endpoint.metadata = updateMetadata(endpoint.metadata, input.metadata);
    }
    if (input.enabled === true && !endpoint.enabled) {
      endpoint.enabled = true;
      endpoint.disabledReason = null;
      endpoint.failingSince = null;
    } else if (input.enabled === false && endpoint.enabled) {
      await disableEndpoint(tx, endpoint, 'manual');
    }
    endpoint.updatedAt = new Date();
    return endpoint;
  });
}

export async function deleteEndpoint(em: EntityManager, owner: Owner, id: string): Promise<void> {
  const endpoint = await getEndpoint(em, owner, id);
  // The delivery log goes with it (on delete cascade).
  await em.nativeDelete(WebhookEndpoint, { id: endpoint.id });
}

/**
 * A new signing secret. The current one keeps signing for 24 hours, and so do the older ones still within
 * theirs: a tenant whose rotate response was lost, and who rotates again, still holds a secret that signs.
 * At most `maxSecrets` in all, newest first: every secret is one more signature on every delivery, and
 * rotating again and again must not grow the header until receivers refuse it (431) and the endpoint is
 * disabled for failing. The row is locked while it is read and written: two rotations at once would
 * otherwise both start from the same secrets, and the first caller would be handed a secret the second
 * one's write had already dropped.
 */
export async function rotateSecret(em: EntityManager, owner: Owner, id: string): Promise<WebhookEndpoint> {
  return em.transactional(async (tx) => {
    const endpoint = await getEndpoint(tx, owner, id, 'update');
    const now = Date.now();
    const [current, ...older] = endpoint.secrets;
    const stillSigning = older.filter((s) => s.expiresAt !== null && Date.parse(s.expiresAt) > now);
    endpoint.secrets = [
      { secret: newWebhookSecret(), expiresAt: null },
      ...(current
        ? [{ secret: current.secret, expiresAt: new Date(now + secretOverlapMs).toISOString() }]
        : []),
      ...stillSigning,
    ].slice(0, maxSecrets);
    endpoint.updatedAt = new Date(now);
    return endpoint;
  });
}

/**
 * Turns an endpoint off: its pending deliveries fail at once (`recover` re-sends them once it is back),
 * and, unless the tenant did it, a `webhook_endpoint.disabled` event says so. The caller runs it in a
 * transaction that holds the endpoint's row locked for update, taken before any of its deliveries' rows
 * (see `lockEndpoint`). Their last attempt stays as it was: the failure is the endpoint's, not an attempt's.
 */
export async function disableEndpoint(
  em: EntityManager,
  endpoint: WebhookEndpoint,
  reason: DisabledReason,
): Promise<void> {
  const now = new Date();
  endpoint.enabled = false;
  endpoint.disabledReason = reason;
  endpoint.updatedAt = now;
  await em.flush();
  // The row lock was taken before this statement started, so its snapshot holds the deliveries of any
  // fan-out that held the endpoint (FOR KEY SHARE) until it committed: none of them is left pending.
  await em.nativeUpdate(
    WebhookDelivery,
    { endpointId: endpoint.id, status: 'pending' },
    {
      status: 'failed',
      failureReason: 'endpoint_disabled',
      nextAttemptAt: null,
      lockedUntil: null,
      updatedAt: now,
    },
  );
  if (reason !== 'manual') {
    recordEvent(em, endpoint, 'webhook_endpoint.disabled', webhookEndpointResource(endpoint));
  }
}

/**
 * Queues again every failed delivery of the endpoint created since `since`, oldest first. The endpoint is
 * held (FOR SHARE) while they are: a disable committed between the check and the write would otherwise leave
 * them pending on a disabled endpoint.
 */
export async function recoverEndpoint(
  em: EntityManager,
  owner: Owner,
  id: string,
  since: Date,
): Promise<number> {
  return em.transactional(async (tx) => {
    const endpoint = await getEndpoint(tx, owner, id, 'share');
    if (since.getTime() < Date.now() - recoverWindowMs) {
      throw new ApiError('invalid_request', 'since must be within the last 14 days.', { param: 'since' });
    }
    if (!endpoint.enabled) {
      throw new ApiError('invalid_state', `Webhook endpoint ${id} is disabled: enable it, then recover.`);
    }
    return tx.nativeUpdate(
      WebhookDelivery,
      { endpointId: endpoint.id, status: 'failed', createdAt: { $gte: since } },
      requeued(new Date()),
    );
  });
}

/** A delivery due now with a fresh schedule: what a retry and a recovery make of it. */
export function requeued(now: Date) {
  return {
    status: 'pending' as const,
    failureReason: null,
    attempts: 0,
    nextAttemptAt: now,
    lockedUntil: null,
    updatedAt: now,
  };
}
