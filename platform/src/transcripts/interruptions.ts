import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiError } from '../http/api-error.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';

/**
 * Records that the candidate spoke over an interviewer turn after hearing `heardMs` of it. One statement, and
 * the first report wins: a retried or repeated report changes nothing.
 */
export async function recordInterruption(
  em: EntityManager,
  interviewId: string,
  turnId: string,
  heardMs: number,
): Promise<number> {
  const interview = await em.findOneOrFail(Interview, interviewId);
  const status = effectiveStatus(interview);
  if (status !== 'in_progress') {
    throw new ApiError('invalid_state', `This interview is ${status}: there is nothing to interrupt.`);
  }
  const [row] = await em.getConnection().execute<{ interrupted_at_ms: number }[]>(
    `update interview_turns set interrupted_at_ms = coalesce(interrupted_at_ms, ?)
      where id = ? and interview_id = ? and speaker = 'interviewer'
      returning interrupted_at_ms`,
    [heardMs, turnId, interviewId],
  );
  if (!row) {
    throw new ApiError(
      'resource_missing',
      `No interviewer turn ${turnId} in this interview's transcript (yet): report it after its interviewer.done event.`,
      { param: 'turn_id' },
    );
  }
  return row.interrupted_at_ms;
}
