import type { EntityManager } from '@mikro-orm/postgresql';

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' };

interface Owner {
  tenantId: string;
  livemode: boolean;
}

/** How long a key is remembered, and how long a claim holds before a crashed request's key can be retried. */
export const retentionHours = 24;
const lockSeconds = 60;

/**
 * Idempotency records in the database, claimed with one atomic upsert: of any number of concurrent requests
 * with one key exactly one claims it; the others see it in flight (or, once finished, replay its response).
 */
export async function claimKey(
  em: EntityManager,
  owner: Owner,
  key: string,
  fingerprint: string,
): Promise<IdempotencyClaim> {
  const connection = em.getConnection();
  const claimed = await connection.execute<{ claimed: boolean }[]>(
    `insert into idempotency_keys (tenant_id, livemode, key, fingerprint, locked_until, created_at)
     values (?, ?, ?, ?, now() + interval '${lockSeconds} seconds', now())
     on conflict (tenant_id, livemode, key) do update
       set fingerprint = excluded.fingerprint, locked_until = excluded.locked_until,
           created_at = excluded.created_at, response_status = null, response_body = null
       where idempotency_keys.created_at < now() - interval '${retentionHours} hours'
          or (idempotency_keys.response_status is null and idempotency_keys.locked_until < now())
     returning true as claimed`,
    [owner.tenantId, owner.livemode, key, fingerprint],
  );
  if (claimed.length > 0) return { kind: 'claimed' };
  const [existing] = await connection.execute<
    { fingerprint: string; response_status: number | null; response_body: string | null }[]
  >(
    'select fingerprint, response_status, response_body from idempotency_keys where tenant_id = ? and livemode = ? and key = ?',
    [owner.tenantId, owner.livemode, key],
  );
  // The row can vanish between the two statements only through the retention sweep: treat it as in flight.
  if (!existing) return { kind: 'in_flight' };
  if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (existing.response_status === null || existing.response_body === null) return { kind: 'in_flight' };
  return { kind: 'replay', status: existing.response_status, body: existing.response_body };
}

export async function completeKey(
  em: EntityManager,
  owner: Owner,
  key: string,
  status: number,
  body: string,
): Promise<void> {
  await em
    .getConnection()
    .execute(
      'update idempotency_keys set response_status = ?, response_body = ?, locked_until = null where tenant_id = ? and livemode = ? and key = ?',
      [status, body, owner.tenantId, owner.livemode, key],
    );
}

/** Forgets a claim whose request failed on our side, so the client's retry runs afresh. */
export async function releaseKey(em: EntityManager, owner: Owner, key: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      'delete from idempotency_keys where tenant_id = ? and livemode = ? and key = ? and response_status is null',
      [owner.tenantId, owner.livemode, key],
    );
}

/** Drops records older than the retention window; run periodically. */
export async function sweepKeys(em: EntityManager): Promise<number> {
  const result = await em
    .getConnection()
    .execute(
      `delete from idempotency_keys where created_at < now() - interval '${retentionHours} hours'`,
      [],
      'run',
    );
  return (result as { affectedRows?: number }).affectedRows ?? 0;
}
