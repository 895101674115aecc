import { deletedObject, toPage } from '../db/pagination.ts';
import { operation } from '../http/operation.ts';
import type { Services } from '../services.ts';
import { listDeliveries, retryDelivery } from './webhook-deliveries.ts';
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointPolicy,
  getEndpoint,
  listEndpoints,
  recoverEndpoint,
  rotateSecret,
  updateEndpoint,
} from './webhook-endpoints.ts';
import {
  webhookDeliveryResource,
  webhookEndpointResource,
  webhookEndpointWithSecret,
} from './webhook-resources.ts';

function endpointPolicy(services: Services): EndpointPolicy {
  return { allowPrivateNetworks: services.config.webhooks.allowPrivateNetworks, logger: services.logger };
}

export const webhookOperations = [
  operation('createWebhookEndpoint', { returnsCredential: true }, async ({ em, caller, body, services }) => ({
    status: 201,
    body: webhookEndpointWithSecret(await createEndpoint(em, caller, endpointPolicy(services), body)),
  })),
  operation('listWebhookEndpoints', {}, async ({ em, caller, query }) => ({
    status: 200,
    body: toPage(await listEndpoints(em, caller, query), webhookEndpointResource),
  })),
  operation('retrieveWebhookEndpoint', {}, async ({ em, caller, params }) => ({
    status: 200,
    body: webhookEndpointResource(await getEndpoint(em, caller, params.id)),
  })),
  operation('updateWebhookEndpoint', {}, async ({ em, caller, params, body, services }) => ({
    status: 200,
    body: webhookEndpointResource(
      await updateEndpoint(em, caller, endpointPolicy(services), params.id, body),
    ),
  })),
  operation('deleteWebhookEndpoint', {}, async ({ em, caller, params }) => {
    await deleteEndpoint(em, caller, params.id);
    return { status: 200, body: deletedObject(params.id, 'webhook_endpoint') };
  }),
  operation('rotateWebhookEndpointSecret', { returnsCredential: true }, async ({ em, caller, params }) => ({
    status: 200,
    body: webhookEndpointWithSecret(await rotateSecret(em, caller, params.id)),
  })),
  operation('listWebhookDeliveries', {}, async ({ em, caller, params, query }) => ({
    status: 200,
    body: toPage(await listDeliveries(em, caller, params.id, query), webhookDeliveryResource),
  })),
  operation('recoverWebhookEndpoint', {}, async ({ em, caller, params, body }) => ({
    status: 202,
    body: {
      object: 'webhook_recovery' as const,
      endpoint_id: params.id,
      since: new Date(body.since).toISOString(),
      requeued: await recoverEndpoint(em, caller, params.id, new Date(body.since)),
    },
  })),
  operation('retryWebhookDelivery', {}, async ({ em, caller, params }) => ({
    status: 202,
    body: webhookDeliveryResource(await retryDelivery(em, caller, params.id)),
  })),
];
