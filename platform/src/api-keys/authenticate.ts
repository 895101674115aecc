import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiError } from '../http/api-error.ts';
import type { Caller } from '../http/operation.ts';
import { ApiKey } from './api-key.entity.ts';
import { hashSecret, parseSecret } from './key-format.ts';

const lastUsedPrecisionMs = 60_000;

function invalid(): ApiError {
  return new ApiError('invalid_api_key', 'The API key is invalid, revoked or expired.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="viva", error="invalid_token"' },
  });
}

/** Resolves a secret key to its caller. Every kind of wrong key gets the same answer, so none can be probed. */
export async function authenticateSecret(em: EntityManager, secret: string): Promise<Caller> {
  const parsed = parseSecret(secret);
  if (!parsed) throw invalid();
  const hash = Buffer.from(hashSecret(secret), 'hex');
  const candidates = await em.find(ApiKey, { lookup: parsed.lookup, livemode: parsed.livemode });
  const key = candidates.find((row) => timingSafeEqual(Buffer.from(row.secretHash, 'hex'), hash));
  const now = new Date();
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) throw invalid();
  // last_used_at is kept to the minute: a write per request would double the cost of every read.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > lastUsedPrecisionMs) {
    await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: now });
  }
  return { tenantId: key.tenantId, livemode: key.livemode, keyId: key.id, scopes: key.scopes };
}

/** The secret from `Authorization: Bearer sk_...`, or a 401 that says what is missing. */
export function bearerSecret(header: string | undefined): string {
  if (!header) {
    throw new ApiError('unauthenticated', 'Send your secret key as "Authorization: Bearer sk_test_...".', {
      headers: { 'WWW-Authenticate': 'Bearer realm="viva"' },
    });
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) {
    throw new ApiError('unauthenticated', 'The Authorization header must be "Bearer <secret key>".', {
      headers: { 'WWW-Authenticate': 'Bearer realm="viva"' },
    });
  }
  return match[1];
}
