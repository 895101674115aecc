import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiError } from '../http/api-error.ts';
import { ApiKey } from './api-key.entity.ts';
import type { ParsedSecret } from './key-format.ts';

/** Every kind of wrong key gets this same answer, so none can be probed. */
export function invalidKey(): ApiError {
  return new ApiError('invalid_api_key', 'The API key is invalid, revoked or expired.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="viva", error="invalid_token"' },
  });
}

/** The row of a well-formed secret: found by its lookup, then matched on the whole secret's hash in constant time. */
export async function findKeyRow(
  em: EntityManager,
  parsed: ParsedSecret,
  secretHash: string,
): Promise<ApiKey | null> {
  const hash = Buffer.from(secretHash, 'hex');
  const candidates = await em.find(ApiKey, { lookup: parsed.lookup, livemode: parsed.livemode });
  return candidates.find((row) => timingSafeEqual(Buffer.from(row.secretHash, 'hex'), hash)) ?? null;
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
