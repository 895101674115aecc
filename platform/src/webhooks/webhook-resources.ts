import type { SuccessBody } from '../http/operation.ts';
import type { WebhookDelivery } from './webhook-delivery.entity.ts';
import type { WebhookEndpoint } from './webhook-endpoint.entity.ts';

export type WebhookEndpointResource = SuccessBody<'retrieveWebhookEndpoint'>;
export type WebhookDeliveryResource = SuccessBody<'retryWebhookDelivery'>;

export function webhookEndpointResource(endpoint: WebhookEndpoint): WebhookEndpointResource {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    livemode: endpoint.livemode,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
    url: endpoint.url,
    description: endpoint.description ?? null,
    enabled_events: endpoint.enabledEvents,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason ?? null,
    metadata: endpoint.metadata,
  };
}

/** Only in the responses that create or rotate it: the current secret. */
export function webhookEndpointWithSecret(endpoint: WebhookEndpoint) {
  return { ...webhookEndpointResource(endpoint), secret: endpoint.secrets[0]!.secret };
}

export function webhookDeliveryResource(delivery: WebhookDelivery): WebhookDeliveryResource {
  return {
    id: delivery.id,
    object: 'webhook_delivery',
    livemode: delivery.livemode,
    created_at: delivery.createdAt.toISOString(),
    endpoint_id: delivery.endpointId,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    status: delivery.status,
    failure_reason: delivery.status === 'failed' ? (delivery.failureReason ?? null) : null,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? (delivery.nextAttemptAt?.toISOString() ?? null) : null,
    last_attempt: delivery.lastAttemptAt
      ? {
          attempted_at: delivery.lastAttemptAt.toISOString(),
          status_code: delivery.lastStatusCode ?? null,
          latency_ms: delivery.lastLatencyMs ?? 0,
          error: delivery.lastError ?? null,
          response_snippet: delivery.lastResponseSnippet ?? null,
        }
      : null,
  };
}
