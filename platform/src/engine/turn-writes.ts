import type { EntityManager } from '@mikro-orm/postgresql';
import { Interview } from '../interviews/interview.entity.ts';
import type { Job } from '../jobs/job.entity.ts';
import { jobColumn } from '../jobs/job-snapshot.ts';
import type { TurnAudio, TurnKind } from '../transcripts/turn.entity.ts';
import type { InterviewProgress } from './progress.ts';
import type { StateJob } from './state-event.ts';

/**
 * The engine's two most frequent writes, the candidate's answer and the interviewer's next question or
 * follow-up, each as one statement: a conditional UPDATE claims the interview row and the turn is inserted
 * from what it returns. One statement is one transaction, so both land or neither does, as with the ORM's
 * BEGIN, SELECT … FOR UPDATE, INSERT, UPDATE and COMMIT, in one round trip instead of five. A concurrent
 * writer waits on the row lock, then PostgreSQL checks the WHERE again against the row as committed: of two
 * racing answers, exactly one claims the turn. Each resolves to the interview as the write left it (an
 * answer also to what the next `state` event needs of the job), or null when the row was not in the
 * expected state; the caller then reads it to say why.
 */

export interface WrittenTurn {
  id: string;
  text: string;
  audio: TurnAudio | null;
  startedAt: Date;
}

/**
 * The claimed row's next `seq`: its turn count plus one. Interviews started before the count was kept count
 * their transcript once; the count is then kept.
 */
const nextSeq = `coalesce((i.progress->>'turnCount')::int,
  (select count(*)::int from interview_turns t where t.interview_id = i.id)) + 1`;

const turnColumns = `id, interview_id, tenant_id, livemode, seq, speaker, kind, question_index, text, audio,
  interrupted_at_ms, started_at, ended_at, created_at`;

const answerSql = `
with claimed as (
  update interviews i
     set progress = i.progress || jsonb_build_object('awaiting', 'interviewer', 'turnCount', ${nextSeq}),
         updated_at = ?
   where i.id = ? and i.status = 'in_progress' and i.progress->>'awaiting' = 'candidate'
  returning i.*
), added as (
  insert into interview_turns (${turnColumns})
  select ?, c.id, c.tenant_id, c.livemode, (c.progress->>'turnCount')::int, 'candidate', 'answer',
         (c.progress->>'questionIndex')::int, ?, ?::jsonb, null, ?, ?, ?
    from claimed c
)
select c.*, ${jobColumn('c', 'j', 'questions')} as answer_job_questions,
       ${jobColumn('c', 'j', 'settings')} as answer_job_settings
  from claimed c join jobs j on j.id = c.job_id`;

/** The interview after an answer, and what the `state` event to publish next needs of its job. */
export interface AnswerWritten {
  interview: Interview;
  job: StateJob;
}

/** The candidate's answer, if it is their turn: the interviewer is due next. */
export async function writeAnswer(
  em: EntityManager,
  interviewId: string,
  turn: WrittenTurn,
): Promise<AnswerWritten | null> {
  const now = new Date();
  const rows = await em.getConnection().execute<
    (Record<string, unknown> & {
      answer_job_questions: Job['questions'];
      answer_job_settings: Job['settings'];
    })[]
  >(answerSql, [now, interviewId, turn.id, turn.text, jsonOrNull(turn.audio), turn.startedAt, now, now]);
  if (!rows[0]) return null;
  const { answer_job_questions: questions, answer_job_settings: settings, ...interview } = rows[0];
  return { interview: em.map(Interview, interview), job: { questions, settings } };
}

const interviewerTurnSql = `
with claimed as (
  update interviews i
     set progress = ?::jsonb || jsonb_build_object('turnCount', ${nextSeq}),
         tokens_used = i.tokens_used + ?,
         updated_at = ?
   where i.id = ? and i.status = 'in_progress' and i.progress->>'awaiting' = 'interviewer'
     and i.progress->>'leaseUntil' = ?
  returning i.*
), added as (
  insert into interview_turns (${turnColumns})
  select ?, c.id, c.tenant_id, c.livemode, (c.progress->>'turnCount')::int, 'interviewer', ?, ?::int, ?,
         ?::jsonb, null, ?, ?, ?
    from claimed c
)
select * from claimed`;

/**
 * An interviewer turn that leaves the interview going (not the closing one, which also records the
 * completion), if it is still due and still under `lease`: a turn that outlived its lease was taken over.
 */
export async function writeInterviewerTurn(
  em: EntityManager,
  interviewId: string,
  lease: string,
  turn: WrittenTurn & { kind: Exclude<TurnKind, 'answer' | 'closing'>; questionIndex: number },
  after: { progress: InterviewProgress; tokens: number },
): Promise<Interview | null> {
  const now = new Date();
  const rows = await em
    .getConnection()
    .execute<Record<string, unknown>[]>(interviewerTurnSql, [
      JSON.stringify(after.progress),
      after.tokens,
      now,
      interviewId,
      lease,
      turn.id,
      turn.kind,
      turn.questionIndex,
      turn.text,
      jsonOrNull(turn.audio),
      turn.startedAt,
      now,
      now,
    ]);
  return rows[0] ? em.map(Interview, rows[0]) : null;
}

function jsonOrNull(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}
