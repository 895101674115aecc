import type { EntityManager } from '@mikro-orm/postgresql';
import type { Interview } from '../interviews/interview.entity.ts';
import { Job } from './job.entity.ts';

/**
 * What an interview holds of its job from the moment it starts: a job edited meanwhile (other questions, a
 * shorter time, another voice) changes the interviews that start afterwards, never one under way. The
 * rubric is not held: scoring reads the job's when it runs, so a rescore can follow a changed rubric.
 */
export type JobSnapshot = Pick<Job, 'title' | 'description' | 'language' | 'questions' | 'settings'>;

export function snapshotOf(job: JobSnapshot): JobSnapshot {
  const { title, description, language, questions, settings } = job;
  return { title, description, language, questions, settings };
}

/**
 * The job as the interview knows it: its copy once started; before that, or if it started before copies
 * were kept, the job itself.
 */
export async function jobOfInterview(em: EntityManager, interview: Interview): Promise<JobSnapshot> {
  return interview.jobSnapshot ?? (await em.findOneOrFail(Job, interview.jobId));
}

/**
 * A column of the job as an interview sees it, in SQL: `interview` and `job` are the aliases of the two
 * rows. `text` fields read as text, the others as jsonb.
 */
export function jobColumn(interview: string, job: string, column: string, text = false): string {
  const copied = `${interview}.job_snapshot${text ? '->>' : '->'}'${column}'`;
  return `(case when ${interview}.job_snapshot is null then ${job}.${column} else ${copied} end)`;
}
