import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

export type IdempotencyClaim =
  | { kind: 'claimed'; claimId: string }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' };

interface Owner {
  tenantId: string;
  livemode: boolean;
}

/** How long a key is remembered. */
export const retentionHours = 24;
/**
 * How long a claim holds unless renewed. The request that holds it renews it while it runs (see holdClaim),
 * however long that is; only a crashed request's claim lapses, and the client's retry then runs afresh.
 */
export const claimLockSeconds = 60;

/**
 * Idempotency records in the database, claimed with one atomic upsert: of any number of concurrent requests
 * with one key exactly one claims it; the others see it in flight (or, once finished, replay its response).
 */
export async function claimKey(
  em: EntityManager,
  owner: Owner,
  key: string,
  fingerprint: string,
  lockSeconds = claimLockSeconds,
): Promise<IdempotencyClaim> {
  const connection = em.getConnection();
  const claimId = randomUUID();
  const claimed = await connection.execute<{ claimed: boolean }[]>(
    `insert into idempotency_keys (tenant_id, livemode, key, fingerprint, claim_id, locked_until, created_at)
     values (?, ?, ?, ?, ?, now() + make_interval(secs => ?), now())
     on conflict (tenant_id, livemode, key) do update
       set fingerprint = excluded.fingerprint, claim_id = excluded.claim_id, locked_until = excluded.locked_until,
           created_at = excluded.created_at, response_status = null, response_body = null
       where idempotency_keys.created_at < now() - interval '${retentionHours} hours'
          or (idempotency_keys.response_status is null and idempotency_keys.locked_until < now())
     returning true as claimed`,
    [owner.tenantId, owner.livemode, key, fingerprint, claimId, lockSeconds],
  );
  if (claimed.length > 0) return { kind: 'claimed', claimId };
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

/**
 * Renews the claim every third of its lock until the returned function is called, so a request that runs
 * longer than the lock (an audio answer whose transcription is retried) is never taken over by the client's
 * retry and run twice. A failed renewal goes to `onError`; the next one tries again.
 */
export function holdClaim(
  em: EntityManager,
  owner: Owner,
  key: string,
  claimId: string,
  onError: (error: unknown) => void,
  lockSeconds = claimLockSeconds,
): () => void {
  const timer = setInterval(
    () => {
      em.getConnection()
        .execute(
          `update idempotency_keys set locked_until = now() + make_interval(secs => ?)
            where tenant_id = ? and livemode = ? and key = ? and claim_id = ? and response_status is null`,
          [lockSeconds, owner.tenantId, owner.livemode, key, claimId],
        )
        .catch(onError);
    },
    (lockSeconds * 1000) / 3,
  );
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Records the response of the request holding `claimId`. False when the claim was lost (it lapsed, and a
 * retry claimed the key): the record then belongs to that retry, and is left alone.
 */
export async function completeKey(
  em: EntityManager,
  owner: Owner,
  key: string,
  claimId: string,
  status: number,
  body: string,
): Promise<boolean> {
  const updated = await em.getConnection().execute(
    `update idempotency_keys set response_status = ?, response_body = ?, locked_until = null
        where tenant_id = ? and livemode = ? and key = ? and claim_id = ?`,
    [status, body, owner.tenantId, owner.livemode, key, claimId],
    'run',
  );
  return ((updated as { affectedRows?: number }).affectedRows ?? 0) > 0;
}

/** Forgets a claim whose request failed on our side, so the client's retry runs afresh. */
export async function releaseKey(
  em: EntityManager,
  owner: Owner,
  key: string,
  claimId: string,
): Promise<void> {
  await em
    .getConnection()
    .execute(
      'delete from idempotency_keys where tenant_id = ? and livemode = ? and key = ? and claim_id = ? and response_status is null',
      [owner.tenantId, owner.livemode, key, claimId],
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
