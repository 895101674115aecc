import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClaimedDelivery } from './claim-deliveries.ts';
import { lockEndpoint } from './endpoint-lock.ts';
import { nextAttemptDelayMs } from './retry-schedule.ts';
import type { WebhookAttempt } from './send-webhook.ts';
import { type DeliveryFailureReason, WebhookDelivery } from './webhook-delivery.entity.ts';
import { disableEndpoint } from './webhook-endpoints.ts';

/** An endpoint on which every attempt has failed for this long is disabled. */
export const failingLimitMs = 5 * 24 * 60 * 60 * 1000;

/**
 * A failure this long after the previous one starts a new streak: longer than any wait between two attempts
 * of one delivery (the schedule's 10 hours + 20 %, or a Retry-After of at most 24 hours), so only a quiet
 * spell breaks a streak. Without it, an endpoint that failed once, went quiet for a week and then failed
 * once more would be disabled on that one failure.
 */
export const streakGapMs = 26 * 60 * 60 * 1000;

function lastAttemptFields(attempt: WebhookAttempt, at: Date) {
  return {
    lastAttemptAt: at,
    lastStatusCode: attempt.statusCode,
    lastLatencyMs: Math.round(attempt.latencyMs),
    lastError: attempt.error,
    lastResponseSnippet: attempt.responseSnippet,
    lockedUntil: null,
    updatedAt: at,
  };
}

/** Why the delivery fails with this attempt, if it does: no attempt follows a 410, nor the 8th attempt. */
function failureReasonOf(attempt: WebhookAttempt, delay: number | null): DeliveryFailureReason | null {
  if (delay !== null) return null;
  return attempt.gone ? 'endpoint_gone' : 'attempts_exhausted';
}

/**
 * Writes what a failed attempt came to: the next attempt time, or the delivery's failure, and the
 * endpoint's failure streak (disabling it after a 410 or 5 days of failures with no quiet spell). Only
 * while the delivery is still pending and still held by this claim: if the claim lapsed and another worker
 * took the delivery, or the endpoint was disabled meanwhile, their record stands. Successes go through
 * `SuccessBatch`.
 *
 * The endpoint's row is locked before the delivery's is written, the order every writer of both keeps (see
 * `lockEndpoint`): a disable holds the endpoint and then fails its pending deliveries, so taking them the
 * other way round would deadlock with it.
 */
export async function recordFailedAttempt(
  em: EntityManager,
  claimed: ClaimedDelivery,
  attempt: WebhookAttempt,
): Promise<'retrying' | 'failed' | 'stale'> {
  const now = new Date();
  const ours = { id: claimed.id, status: 'pending' as const, lockedUntil: claimed.lockedUntil };
  const attempts = claimed.attempts + 1;
  return em.transactional(async (tx) => {
    const endpoint = await lockEndpoint(tx, claimed.endpoint.id, 'update');
    const delay = attempt.gone ? null : nextAttemptDelayMs(attempts, attempt.retryAfterSeconds);
    const updated = await tx.nativeUpdate(WebhookDelivery, ours, {
      status: delay === null ? 'failed' : 'pending',
      failureReason: failureReasonOf(attempt, delay),
      attempts,
      nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
      ...lastAttemptFields(attempt, now),
    });
    if (updated === 0) return 'stale';
    if (endpoint?.enabled) {
      const quiet = !endpoint.lastFailureAt || now.getTime() - endpoint.lastFailureAt.getTime() > streakGapMs;
      if (!endpoint.failingSince || quiet) endpoint.failingSince = now;
      endpoint.lastFailureAt = now;
      if (attempt.gone) await disableEndpoint(tx, endpoint, 'gone');
      else if (now.getTime() - endpoint.failingSince.getTime() >= failingLimitMs) {
        await disableEndpoint(tx, endpoint, 'failing');
      }
    }
    return delay === null ? 'failed' : 'retrying';
  });
}
