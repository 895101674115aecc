import { deletedObject, toPage } from '../db/pagination.ts';
import { operation, type SuccessBody } from '../http/operation.ts';
import type { ApiKey } from './api-key.entity.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';

type ApiKeyResource = SuccessBody<'listApiKeys'>['data'][number];

export function apiKeyResource(key: ApiKey): ApiKeyResource {
  return {
    id: key.id,
    object: 'api_key',
    livemode: key.livemode,
    name: key.name,
    scopes: key.scopes as ApiKeyResource['scopes'],
    redacted: key.redacted,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    expires_at: key.expiresAt?.toISOString() ?? null,
  };
}

export const apiKeyOperations = [
  operation('createApiKey', { returnsCredential: true }, async ({ em, caller, body }) => {
    const { key, secret } = await createApiKey(em, caller, caller.scopes, body);
    return { status: 201, body: { ...apiKeyResource(key), secret } };
  }),
  operation('listApiKeys', {}, async ({ em, caller, query }) => ({
    status: 200,
    body: toPage(await listApiKeys(em, caller, query), apiKeyResource),
  })),
  operation('deleteApiKey', {}, async ({ em, caller, params, services }) => {
    await revokeApiKey(em, services.keyChanges, caller, caller.scopes, params.id);
    return { status: 200, body: deletedObject(params.id, 'api_key') };
  }),
];
