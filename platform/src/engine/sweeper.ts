import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';
import { recordInterviewEvent } from '../events/record-event.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { expiredAt } from '../interviews/interviews.ts';
import { jobColumn } from '../jobs/job-snapshot.ts';
import { completeInterview } from './complete-interview.ts';

/** Grace beyond a job's max duration before an abandoned interview is closed for it. */
export const abandonGraceSeconds = 300;
/** Rows per transaction: a backlog is worked off over several sweeps rather than in one long lock. */
const batchSize = 500;

export interface Swept {
  /** Scheduled interviews whose invitation lapsed, now `expired`. */
  expired: Interview[];
  /** Interviews left running long past their job's max duration, now `completed` for `time_limit`. */
  abandoned: Interview[];
}

/**
 * Records what time alone decides: invitations that lapsed become `expired`, and interviews left running
 * long past their job's max duration (the candidate walked away) become `completed`, each with its event
 * in the same transaction. Rows another instance holds are skipped (SKIP LOCKED), so every instance may
 * sweep at once and each row is swept by exactly one of them.
 */
export async function sweepInterviews(orm: Orm): Promise<Swept> {
  return orm.em.fork().transactional(async (em) => {
    const now = new Date();
    const expired = await em.find(
      Interview,
      { status: 'scheduled', expiresAt: { $lte: now } },
      { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, limit: batchSize, orderBy: { id: 'asc' } },
    );
    for (const interview of expired) {
      interview.status = 'expired';
      // The moment it expired, as reads showed it before this sweep: the change is not the sweep's.
      interview.updatedAt = expiredAt(interview);
      recordInterviewEvent(em, 'interview.expired', interview);
    }
    const abandoned = await abandonedInterviews(em, now);
    for (const interview of abandoned) completeInterview(em, interview, 'time_limit');
    return { expired, abandoned };
  });
}

async function abandonedInterviews(em: EntityManager, now: Date): Promise<Interview[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select i.id from interviews i join jobs j on j.id = i.job_id
      where i.status = 'in_progress'
        and i.started_at + make_interval(secs => (${jobColumn('i', 'j', 'settings')}->>'max_duration_seconds')::int + ?) <= ?
      order by i.id limit ?`,
    [abandonGraceSeconds, now, batchSize],
    'all',
    em.getTransactionContext(),
  );
  if (rows.length === 0) return [];
  // Locked as entities, skipping rows the engine holds at this moment: they are swept next time if still due.
  const locked = await em.find(
    Interview,
    { id: { $in: rows.map((r) => r.id) }, status: 'in_progress' },
    { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
  );
  return locked;
}

/**
 * When the interviewer's turn fell due: at the last turn (the candidate's answer), or at the start. Not
 * `updated_at`, which an integrator's metadata PATCH moves: each would put off taking up the turn again.
 */
const dueSince = `coalesce((select t.created_at from interview_turns t where t.interview_id = i.id
  order by t.seq desc limit 1), i.started_at)`;

/**
 * Interviews waiting on an interviewer turn that no live instance holds: its lease lapsed, or it has had
 * none for `idleSeconds` since it fell due. That is a turn that failed (the lease is let go
 * so a reconnect retries at once, and the widget may not know: the `error` event may have failed to publish
 * too), or one whose answer committed on an instance that died before claiming it.
 */
export async function stalledTurns(orm: Orm, idleSeconds: number): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ id: string }[]>(
      `select i.id from interviews i
        where i.status = 'in_progress' and i.progress->>'awaiting' = 'interviewer'
          and ((i.progress->>'leaseUntil')::timestamptz < now()
            or (i.progress->>'leaseUntil' is null and ${dueSince} < now() - make_interval(secs => ?)))
        limit ?`,
      [idleSeconds, batchSize],
    );
  return rows.map((r) => r.id);
}

/** Runs `sweep` every `everyMs` on this instance until the returned function is called. */
export function startSweeper(sweep: () => Promise<Swept>, logger: Logger, everyMs = 30_000): () => void {
  const timer = setInterval(() => {
    sweep()
      .then((swept) => {
        if (swept.expired.length || swept.abandoned.length) {
          logger.info(
            { expired: swept.expired.length, abandoned: swept.abandoned.length },
            'interviews swept',
          );
        }
      })
      .catch((err: unknown) => logger.warn({ err }, 'interview sweep failed'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
