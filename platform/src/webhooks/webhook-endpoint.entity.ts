import { defineEntity, p } from '@mikro-orm/core';
import type { EventType } from '../events/event.entity.ts';

export type EnabledEvent = EventType | '*';
export type DisabledReason = 'manual' | 'gone' | 'failing';

/** A signing secret; after a rotation the old one keeps signing until `expiresAt`. */
export interface EndpointSecret {
  secret: string;
  expiresAt: string | null;
}

const WebhookEndpointSchema = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoints',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    url: p.text(),
    description: p.text().nullable(),
    enabledEvents: p.json<EnabledEvent[]>(),
    enabled: p.boolean(),
    disabledReason: p.string().$type<DisabledReason>().nullable(),
    /** Newest first. Needed in the clear to sign; never returned after the response that created it. */
    secrets: p.json<EndpointSecret[]>(),
    metadata: p.json<Record<string, string>>(),
    /** Since when every attempt has failed; null once one succeeds. Five days of it disables the endpoint. */
    failingSince: p.datetime().nullable(),
    /** When an attempt last failed: a failure long after it starts a new streak (see recordFailedAttempt). */
    lastFailureAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export class WebhookEndpoint extends WebhookEndpointSchema.class {}
WebhookEndpointSchema.setClass(WebhookEndpoint);

export { WebhookEndpointSchema };
