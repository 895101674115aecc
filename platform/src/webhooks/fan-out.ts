import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Event } from '../events/event.entity.ts';
import { newId } from '../ids.ts';
import { WebhookDelivery } from './webhook-delivery.entity.ts';
import type { EnabledEvent } from './webhook-endpoint.entity.ts';

const batchSize = 500;

interface EndpointRow {
  id: string;
  tenant_id: string;
  livemode: boolean;
  enabled: boolean;
  enabled_events: EnabledEvent[];
}

/**
 * Turns committed events into one delivery per endpoint subscribed to them, and marks the events
 * dispatched, in one transaction. Events another worker is fanning out are skipped (SKIP LOCKED), so any
 * number of workers may run this at once and each event is fanned out exactly once. Returns how many
 * events it took.
 */
export async function fanOutEvents(em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    const events = await tx.find(
      Event,
      { dispatchedAt: null },
      { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { id: 'asc' }, limit: batchSize },
    );
    if (events.length === 0) return 0;
    // An endpoint Viva disabled (a 410, or days of failures) still gets its deliveries, failed at once, so
    // that `recover` re-sends what it missed once its owner turns it back on. One its owner disabled does not.
    //
    // Read FOR KEY SHARE, which conflicts with the FOR UPDATE every disable takes first: a disable in flight
    // is waited for, and the endpoint is then read as it left it; one that starts now waits for these
    // deliveries to commit, and then fails those that are pending. Unlocked, a disable could commit between
    // this read and the insert, and leave pending deliveries on a disabled endpoint. Not FOR SHARE: that
    // would also hold up, and could deadlock with, the plain update by which a batch of successes clears
    // several endpoints' failing streaks; KEY SHARE, which the deliveries' foreign key takes anyway, lets
    // it through.
    const endpoints = await tx.execute<EndpointRow[]>(
      `select id, tenant_id, livemode, enabled, enabled_events from webhook_endpoints
        where tenant_id in (?) and (enabled or disabled_reason in ('gone', 'failing'))
        order by id
          for key share`,
      [[...new Set(events.map((e) => e.tenantId))]],
    );
    const now = new Date();
    const deliveries = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpoint.tenant_id !== event.tenantId || endpoint.livemode !== event.livemode) continue;
        if (!endpoint.enabled_events.includes('*') && !endpoint.enabled_events.includes(event.type)) continue;
        deliveries.push({
          id: newId('webhookDelivery'),
          tenantId: event.tenantId,
          livemode: event.livemode,
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          interviewId: event.interviewId,
          sequence: event.sequence,
          status: endpoint.enabled ? ('pending' as const) : ('failed' as const),
          failureReason: endpoint.enabled ? null : ('endpoint_disabled' as const),
          attempts: 0,
          nextAttemptAt: endpoint.enabled ? now : null,
          lockedUntil: null,
          lastAttemptAt: null,
          lastStatusCode: null,
          lastLatencyMs: null,
          lastError: null,
          lastResponseSnippet: null,
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    if (deliveries.length > 0) await tx.insertMany(WebhookDelivery, deliveries);
    await tx.nativeUpdate(Event, { id: { $in: events.map((e) => e.id) } }, { dispatchedAt: now });
    return events.length;
  });
}
