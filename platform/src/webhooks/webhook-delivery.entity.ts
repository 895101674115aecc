import { defineEntity, p } from '@mikro-orm/core';
import type { EventType } from '../events/event.entity.ts';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/**
 * Why a delivery is `failed`: every attempt of its schedule failed, its endpoint answered `410 Gone`, or its
 * endpoint was disabled before it succeeded (including when it was already disabled at fan-out). Kept apart
 * from the last attempt's `error`, which only ever says what an attempt itself came to.
 */
export type DeliveryFailureReason = 'attempts_exhausted' | 'endpoint_gone' | 'endpoint_disabled';

/** One event for one endpoint: its own retry state, so any worker can carry it on after a crash. */
const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    endpointId: p.string(),
    eventId: p.string(),
    eventType: p.string().$type<EventType>(),
    /** Copied from the event: a later event of an interview waits while an earlier one is pending. */
    interviewId: p.string().nullable(),
    sequence: p.integer().nullable(),
    status: p.string().$type<DeliveryStatus>(),
    /** Set exactly when `status` is `failed`. */
    failureReason: p.string().$type<DeliveryFailureReason>().nullable(),
    attempts: p.integer(),
    nextAttemptAt: p.datetime().nullable(),
    /** A worker's claim: set while an attempt is in flight, so no other worker sends it at the same time. */
    lockedUntil: p.datetime().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    lastLatencyMs: p.integer().nullable(),
    lastError: p.text().nullable(),
    lastResponseSnippet: p.text().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export class WebhookDelivery extends WebhookDeliverySchema.class {}
WebhookDeliverySchema.setClass(WebhookDelivery);

export { WebhookDeliverySchema };
