import type { EntityManager } from '@mikro-orm/postgresql';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import type { Caller } from '../http/operation.ts';
import { newId } from '../ids.ts';
import type { Owner } from '../owner.ts';
import { ApiKey } from './api-key.entity.ts';
import type { KeyChanges } from './key-changes.ts';
import { generateSecret } from './key-format.ts';
import { covers } from './scopes.ts';

export interface ApiKeyInput {
  name: string;
  scopes?: string[];
  expires_at?: string;
}

/** Creates a key and returns its secret, which exists nowhere else from this moment on. */
export function issueKey(
  em: EntityManager,
  owner: Owner,
  input: ApiKeyInput,
): { key: ApiKey; secret: string } {
  const generated = generateSecret(owner.livemode);
  const key = em.create(ApiKey, {
    id: newId('apiKey'),
    tenantId: owner.tenantId,
    livemode: owner.livemode,
    name: input.name,
    scopes: input.scopes ?? ['*'],
    lookup: generated.lookup,
    secretHash: generated.hash,
    redacted: generated.redacted,
    createdAt: new Date(),
    lastUsedAt: null,
    expiresAt: input.expires_at ? new Date(input.expires_at) : null,
    revokedAt: null,
  });
  return { key, secret: generated.secret };
}

/** A 400 about the `expires_at` asked for, pointing at it as the request validator's failures do. */
function invalidExpiry(detail: string): ApiError {
  return new ApiError('invalid_request', `expires_at ${detail}.`, {
    param: 'expires_at',
    errors: [{ pointer: '/body/expires_at', detail }],
  });
}

/**
 * A key can hand out only what it holds: a read-only key cannot mint a key that writes, and a key that
 * expires cannot mint one that outlives it. Without an `expires_at`, the new key expires with the key that
 * creates it (never, for a key that never expires); one asked to expire later is refused rather than quietly
 * given another date than the one asked for.
 */
export async function createApiKey(
  em: EntityManager,
  creator: Caller,
  callerScopes: string[],
  input: ApiKeyInput,
): Promise<{ key: ApiKey; secret: string }> {
  const scopes = input.scopes ?? ['*'];
  if (!covers(callerScopes, scopes)) {
    throw new ApiError(
      'insufficient_scope',
      'A key cannot grant scopes that the key creating it does not hold.',
      {
        param: 'scopes',
      },
    );
  }
  const asked = input.expires_at === undefined ? null : new Date(input.expires_at);
  if (asked && asked <= new Date()) throw invalidExpiry('must be in the future');
  const creatorKey = await em.findOne(ApiKey, {
    id: creator.keyId,
    tenantId: creator.tenantId,
    livemode: creator.livemode,
  });
  const limit = creatorKey?.expiresAt ?? null;
  if (asked && limit && asked > limit) {
    throw invalidExpiry(
      `must not be later than ${limit.toISOString()}, when the key making this request expires`,
    );
  }
  const expiresAt = asked ?? limit;
  const issued = issueKey(em, creator, { ...input, scopes, expires_at: expiresAt?.toISOString() });
  await em.flush();
  return issued;
}

export async function listApiKeys(em: EntityManager, owner: Owner, page: PageRequest) {
  return findPage(em, ApiKey, { tenantId: owner.tenantId, livemode: owner.livemode, revokedAt: null }, page);
}

/**
 * Revocation is immediate: once the row is committed, the key's change mark is renewed, and every instance
 * reads a key's mark on every request before it trusts the row it remembers. A key may revoke only keys it
 * could have created, so a narrow key cannot lock the tenant out by revoking its full-access keys.
 */
export async function revokeApiKey(
  em: EntityManager,
  changes: KeyChanges,
  owner: Owner,
  callerScopes: string[],
  id: string,
): Promise<void> {
  const key = await em.findOne(ApiKey, {
    id,
    tenantId: owner.tenantId,
    livemode: owner.livemode,
    revokedAt: null,
  });
  if (!key) throw new ApiError('resource_missing', `No API key ${id}.`, { param: 'id' });
  if (!covers(callerScopes, key.scopes)) {
    throw new ApiError(
      'insufficient_scope',
      'A key cannot revoke a key that holds scopes it does not hold itself.',
    );
  }
  key.revokedAt = new Date();
  await em.flush();
  await changes.changed(key.lookup);
}
