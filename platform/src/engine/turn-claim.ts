import type { EntityManager } from '@mikro-orm/postgresql';
import { Interview } from '../interviews/interview.entity.ts';
import type { Job } from '../jobs/job.entity.ts';
import { jobColumn } from '../jobs/job-snapshot.ts';
import type { PastTurn } from './interviewer.ts';

/** What an interviewer turn needs of its job. */
export type TurnJob = Pick<Job, 'title' | 'description' | 'language' | 'questions' | 'settings'>;

/** A pending interviewer turn this instance now holds, with everything needed to speak it. */
export interface ClaimedTurn {
  /** The lease: its expiry, which no other claim of this turn shares. */
  lease: string;
  /** The interview as the claim left it. */
  interview: Interview;
  job: TurnJob;
  candidateName: string | null;
  companyName: string;
  /** The conversation so far, oldest first. */
  history: PastTurn[];
}

export type TurnClaim =
  | { claimed: ClaimedTurn; heldUntil?: never }
  /** Nothing to claim: no turn is due, or another instance holds it until `heldUntil`. */
  | { claimed: null; heldUntil: string | null };

/**
 * Claims the lease and reads what the turn needs in one statement: before, a claim and five reads cost two
 * round trips and six statements between the candidate's answer and the first word asked of the model.
 * The reads see the database as the claim does, so the history is exactly the turns before this one. The
 * job is the interview's copy of it (see jobs/job-snapshot.ts).
 */
const claimSql = `
with claimed as (
  update interviews i
     set progress = jsonb_set(i.progress, '{leaseUntil}', to_jsonb(to_char(
           (now() + make_interval(secs => ?)) at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
   where i.id = ? and i.status = 'in_progress' and i.progress->>'awaiting' = 'interviewer'
     and (i.progress->>'leaseUntil' is null or (i.progress->>'leaseUntil')::timestamptz < now())
  returning i.*
)
select c.*,
       ${jobColumn('c', 'j', 'title', true)} as turn_job_title,
       ${jobColumn('c', 'j', 'description', true)} as turn_job_description,
       ${jobColumn('c', 'j', 'language', true)} as turn_job_language,
       ${jobColumn('c', 'j', 'questions')} as turn_job_questions,
       ${jobColumn('c', 'j', 'settings')} as turn_job_settings,
       cand.name as turn_candidate_name, t.name as turn_company_name,
       (select coalesce(jsonb_agg(jsonb_build_object('speaker', tu.speaker, 'text', tu.text) order by tu.seq),
                        '[]'::jsonb)
          from interview_turns tu where tu.interview_id = c.id) as turn_history
  from claimed c
  join jobs j on j.id = c.job_id
  join candidates cand on cand.id = c.candidate_id
  join tenants t on t.id = c.tenant_id`;

interface ClaimRow extends Record<string, unknown> {
  turn_job_title: string;
  turn_job_description: string;
  turn_job_language: string;
  turn_job_questions: Job['questions'];
  turn_job_settings: Job['settings'];
  turn_candidate_name: string | null;
  turn_company_name: string;
  turn_history: PastTurn[];
}

/**
 * Claims the interviewer's pending turn of `interviewId` for `leaseSeconds`, if one is due and no live
 * instance holds it (a lease that lapsed belongs to an instance that died or stalled).
 */
export async function claimTurn(
  em: EntityManager,
  interviewId: string,
  leaseSeconds: number,
): Promise<TurnClaim> {
  const connection = em.getConnection();
  const [row] = await connection.execute<ClaimRow[]>(claimSql, [leaseSeconds, interviewId]);
  if (!row) {
    const held = await connection.execute<{ lease: string | null }[]>(
      `select progress->>'leaseUntil' as lease from interviews
        where id = ? and status = 'in_progress' and progress->>'awaiting' = 'interviewer'`,
      [interviewId],
    );
    return { claimed: null, heldUntil: held[0]?.lease ?? null };
  }
  const {
    turn_job_title: title,
    turn_job_description: description,
    turn_job_language: language,
    turn_job_questions: questions,
    turn_job_settings: settings,
    turn_candidate_name: candidateName,
    turn_company_name: companyName,
    turn_history: history,
    ...interviewRow
  } = row;
  const interview = em.map(Interview, interviewRow);
  return {
    claimed: {
      lease: interview.progress.leaseUntil!,
      interview,
      job: { title, description, language, questions, settings },
      candidateName,
      companyName,
      history,
    },
  };
}
