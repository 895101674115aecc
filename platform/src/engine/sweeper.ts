import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';

/** Grace beyond a job's max duration before an abandoned interview is closed for it. */
const abandonGraceSeconds = 300;

export interface Swept {
  /** Scheduled interviews whose invitation lapsed, now `expired`. */
  expired: string[];
  /** Interviews left running long past their job's max duration, now `completed` for `time_limit`. */
  abandoned: string[];
}

/**
 * Records what time alone decides: invitations that lapsed become `expired`, and interviews left running
 * long past their job's max duration (the candidate walked away) become `completed`. Conditional updates,
 * so every instance may sweep at once without harm: each row is returned to exactly one of them.
 */
export async function sweepInterviews(orm: Orm): Promise<Swept> {
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
  return { expired: expired.map((r) => r.id), abandoned: abandoned.map((r) => r.id) };
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
