import type { EntityManager } from '@mikro-orm/postgresql';
import { Interview } from '../interviews/interview.entity.ts';
import { Job, type RubricDimension } from '../jobs/job.entity.ts';
import { Turn } from '../transcripts/turn.entity.ts';
import type { ScoringInput } from './scoring-types.ts';

/**
 * What a scoring run reads: the transcript and the job. The candidate's name and details are left out on
 * purpose: the scorer judges what was said, not who said it.
 */
export async function loadScoringInput(
  em: EntityManager,
  interviewId: string,
  rubric: RubricDimension[] | null,
): Promise<ScoringInput | null> {
  const interview = await em.findOne(Interview, interviewId);
  if (!interview) return null;
  // A job deleted since still scores its interviews: deletion hides it from listings, the row stays.
  const current = await em.findOne(Job, interview.jobId);
  if (!current) return null;
  // What was asked is the job as the interview started with it (see jobs/job-snapshot.ts); the rubric is the
  // job's as it is now, so that a rescore after changing it scores against the new one.
  const job = interview.jobSnapshot ?? current;
  const turns = await em.find(Turn, { interviewId }, { orderBy: { seq: 'asc' } });
  return {
    jobTitle: job.title,
    jobDescription: job.description,
    language: job.language,
    questions: job.questions.map((q, index) => ({ index, text: q.text, guidance: q.guidance })),
    dimensions: rubric ?? current.rubric.dimensions,
    turns: turns.map((t) => ({
      id: t.id,
      speaker: t.speaker,
      kind: t.kind,
      questionIndex: t.questionIndex ?? null,
      text: t.text,
    })),
  };
}
