import type { Orm } from '../db/orm.ts';
import type { ClaimedDelivery } from './claim-deliveries.ts';
import type { WebhookAttempt } from './send-webhook.ts';

interface Pending {
  claimed: ClaimedDelivery;
  attempt: WebhookAttempt;
  at: Date;
  settle: (outcome: 'succeeded' | 'stale') => void;
  fail: (error: unknown) => void;
}

export interface SuccessBatchOptions {
  /** Successes written in one statement at most. */
  maxBatch?: number;
  /** How long a success may wait for others before its batch is written. */
  maxWaitMs?: number;
}

/**
 * Records successful attempts in batches: one transaction, with one `update … from (values …)`, for every
 * few milliseconds of successes, instead of a transaction (and a WAL flush, and its round trips) per
 * delivery. Each success still counts only while its delivery is pending and held by the same claim, row by
 * row, exactly as `recordFailedAttempt` checks it; a row that no longer matches comes back `stale`. A success
 * is acknowledged (its promise resolves) only once its batch is committed.
 */
export class SuccessBatch {
  readonly #orm: Orm;
  readonly #maxBatch: number;
  readonly #maxWaitMs: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(orm: Orm, options: SuccessBatchOptions = {}) {
    this.#orm = orm;
    this.#maxBatch = options.maxBatch ?? 64;
    this.#maxWaitMs = options.maxWaitMs ?? 5;
  }

  record(claimed: ClaimedDelivery, attempt: WebhookAttempt): Promise<'succeeded' | 'stale'> {
    return new Promise((settle, fail) => {
      this.#pending.push({ claimed, attempt, at: new Date(), settle, fail });
      if (this.#pending.length >= this.#maxBatch) this.#flushSoon(0);
      else this.#flushSoon(this.#maxWaitMs);
    });
  }

  #flushSoon(delayMs: number): void {
    if (this.#timer && delayMs > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, delayMs);
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0, this.#maxBatch);
    if (this.#pending.length > 0) this.#flushSoon(0);
    if (batch.length === 0) return;
    try {
      const written = await writeSuccesses(this.#orm, batch);
      for (const p of batch) p.settle(written.has(p.claimed.id) ? 'succeeded' : 'stale');
    } catch (error) {
      for (const p of batch) p.fail(error);
    }
  }
}

/**
 * The deliveries, and the failure streaks of their endpoints, which a success ends. Returns the ids written.
 *
 * An endpoint whose streak is to be ended is locked before the deliveries are written, in the order every
 * writer of both keeps (see `lockEndpoint`): a disable holds the endpoint and then fails its pending
 * deliveries, and would deadlock with a batch that held one of those and waited for the endpoint. The lock
 * is FOR NO KEY UPDATE, all the streak's end needs: it lets fan-outs (FOR KEY SHARE) through. Healthy
 * endpoints, the usual case, are not locked at all.
 */
async function writeSuccesses(orm: Orm, batch: Pending[]): Promise<Set<string>> {
  const endpointIds = [...new Set(batch.map((p) => p.claimed.endpoint.id))];
  const values: unknown[] = [];
  const rows = batch.map((p) => {
    values.push(
      p.claimed.id,
      p.claimed.lockedUntil,
      p.claimed.attempts + 1,
      p.at,
      p.attempt.statusCode,
      Math.round(p.attempt.latencyMs),
      p.attempt.responseSnippet,
    );
    return '(?, ?::timestamptz, ?::int, ?::timestamptz, ?::int, ?::int, ?::text)';
  });
  return orm.em.fork().transactional(async (tx) => {
    const failing = await tx.execute<{ id: string }[]>(
      `select id from webhook_endpoints where id in (?) and failing_since is not null
        order by id for no key update`,
      [endpointIds],
    );
    const written = await tx.execute<{ id: string }[]>(
      `with done as (
         update webhook_deliveries d
            set status = 'succeeded', attempts = v.attempts, next_attempt_at = null,
                last_attempt_at = v.at, last_status_code = v.status_code, last_latency_ms = v.latency_ms,
                last_error = null, last_response_snippet = v.snippet, locked_until = null, updated_at = v.at
           from (values ${rows.join(', ')}) as v(id, locked_until, attempts, at, status_code, latency_ms, snippet)
          where d.id = v.id and d.status = 'pending' and d.locked_until = v.locked_until
          returning d.id, d.endpoint_id
       ), healed as (
         update webhook_endpoints w set failing_since = null
          where w.id = any(array[?]::text[]) and w.id in (select endpoint_id from done)
       )
       select id from done`,
      [...values, failing.map((row) => row.id)],
    );
    return new Set(written.map((row) => row.id));
  });
}
