import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';

/** Grace beyond a job's max duration before an abandoned interview is closed for it. */
const abandonGraceSeconds = 300;

/**
 * Records what time alone decides: invitations that lapsed become `expired`, and interviews left running
 * long past their job's max duration (the candidate walked away) become `completed`. Conditional updates,
 * so every instance may sweep at once without harm.
 */
export async function sweepInterviews(orm: Orm): Promise<{ expired: number; abandoned: number }> {
  const connection = orm.em.fork().getConnection();
  const expired = await connection.execute<{ id: string }[]>(
    `update interviews set status = 'expired', updated_at = now()
      where status = 'scheduled' and expires_at <= now() returning id`,
  );
  const abandoned = await connection.execute<{ id: string }[]>(
    `update interviews i
        set status = 'completed', completed_at = now(), updated_at = now(),
            progress = i.progress || '{"phase": "done", "awaiting": "none", "closingReason": "time_limit", "leaseUntil": null}'::jsonb
       from jobs j
      where i.job_id = j.id and i.status = 'in_progress'
        and i.started_at + make_interval(secs => (j.settings->>'max_duration_seconds')::int + ${abandonGraceSeconds}) <= now()
      returning i.id`,
  );
  return { expired: expired.length, abandoned: abandoned.length };
}

export function startSweeper(orm: Orm, logger: Logger, everyMs = 30_000): () => void {
  const timer = setInterval(() => {
    sweepInterviews(orm)
      .then((swept) => {
        if (swept.expired || swept.abandoned) logger.info(swept, 'interviews swept');
      })
      .catch((err: unknown) => logger.warn({ err }, 'interview sweep failed'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
