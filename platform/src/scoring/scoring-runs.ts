import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../events/record-event.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { Scorecard } from './scorecard.entity.ts';
import { scorecardResource } from './scorecard-resource.ts';

/** A run this worker holds: `attempts` as claimed is its claim, so a run taken over cannot write. */
export interface HeldRun {
  id: string;
  /** Every claim of the run so far, this one included. */
  attempts: number;
  /** Of those, the claims that took the run over from a worker whose lease lapsed before it finished. */
  takeovers: number;
}

/**
 * Claims up to `limit` due scoring runs for `leaseSeconds`, counting the attempt. SKIP LOCKED lets workers in
 * any number of processes claim at once, never the same run; a run whose worker died is claimed again once
 * its lease lapses. A lease is cleared whenever a run is settled, so a run still holding one was left
 * unfinished: that claim is a takeover, counted apart.
 */
export async function claimRuns(em: EntityManager, limit: number, leaseSeconds: number): Promise<HeldRun[]> {
  return em.getConnection().execute<HeldRun[]>(
    `with due as (
       select id from scorecards
        where status = 'pending' and next_attempt_at <= now()
          and (locked_until is null or locked_until < now())
        order by next_attempt_at, id
        limit ?
        for update skip locked
     )
     update scorecards s
        set locked_until = now() + make_interval(secs => ?), attempts = s.attempts + 1,
            takeovers = s.takeovers + (case when s.locked_until is null then 0 else 1 end), updated_at = now()
       from due where s.id = due.id
     returning s.id, s.attempts, s.takeovers`,
    [limit, leaseSeconds],
  );
}

/**
 * The attempts that count towards the limit. A takeover carries on the attempt its dead worker left
 * unfinished, so the two count once: a crash costs the scorecard nothing.
 */
export function countedAttempts(run: HeldRun): number {
  return run.attempts - run.takeovers;
}

/** Extends the leases of runs still going, so a long queue behind the provider cap is not taken over. */
export async function renewLeases(em: EntityManager, runs: HeldRun[], leaseSeconds: number): Promise<void> {
  if (runs.length === 0) return;
  // One JSON parameter: the driver would spread a JS array into separate parameters, not an SQL array.
  await em.getConnection().execute(
    `update scorecards s set locked_until = now() + make_interval(secs => ?)
       from jsonb_to_recordset(?::jsonb) as held(id text, attempts int)
      where s.id = held.id and s.attempts = held.attempts and s.status = 'pending'`,
    [leaseSeconds, JSON.stringify(runs)],
  );
}

export type RunOutcome = 'completed' | 'failed' | 'retry';

/**
 * Writes what a run produced, if the run is still this worker's: the interview is locked first (its event
 * sequence numbers the scorecard event), then the scorecard is read back under the claim. Null when the
 * run was taken over or its scorecard erased meanwhile: nothing is written.
 */
export async function settleRun(
  em: EntityManager,
  run: HeldRun,
  change: (scorecard: Scorecard) => RunOutcome,
): Promise<RunOutcome | null> {
  return em.transactional(async (tx) => {
    const held = await tx.findOne(Scorecard, { id: run.id }, { fields: ['interviewId'] });
    if (!held) return null;
    const interview = await tx.findOne(Interview, held.interviewId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const scorecard = await tx.findOne(
      Scorecard,
      { id: run.id, attempts: run.attempts, status: 'pending' },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!interview || !scorecard) return null;
    const outcome = change(scorecard);
    scorecard.lockedUntil = null;
    scorecard.updatedAt = new Date();
    if (outcome !== 'retry') {
      scorecard.status = outcome;
      recordEvent(tx, scorecard, `scorecard.${outcome}`, scorecardResource(scorecard), { interview });
    }
    return outcome;
  });
}
