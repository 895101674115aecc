import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Candidate } from '../candidates/candidate.entity.ts';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import { Interview } from '../interviews/interview.entity.ts';
import type { Owner } from '../owner.ts';
import { Scorecard, type ScorecardTrigger } from './scorecard.entity.ts';

/**
 * Queues a scoring run of an interview, in the caller's unit of work: an interview that completes has its
 * scoring queued in the same transaction, so a crash between the two cannot leave it unscored.
 */
export function queueScoring(em: EntityManager, interview: Interview, trigger: ScorecardTrigger): Scorecard {
  const now = new Date();
  return em.create(Scorecard, {
    id: newId('scorecard'),
    tenantId: interview.tenantId,
    livemode: interview.livemode,
    interviewId: interview.id,
    status: 'pending',
    trigger,
    rubric: null,
    dimensions: [],
    summary: null,
    score: null,
    recommendation: null,
    model: null,
    promptVersion: null,
    usage: { promptTokens: 0, completionTokens: 0 },
    attempts: 0,
    takeovers: 0,
    nextAttemptAt: now,
    lockedUntil: null,
    failure: null,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
    failedAt: null,
  });
}

async function ownedInterview(em: EntityManager, owner: Owner, id: string, lock = false): Promise<Interview> {
  const interview = await em.findOne(
    Interview,
    { id, tenantId: owner.tenantId, livemode: owner.livemode },
    lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
  );
  if (!interview) throw new ApiError('resource_missing', `No interview ${id}.`, { param: 'id' });
  return interview;
}

/** The interview's newest scorecard, whatever its status. */
export async function latestScorecard(
  em: EntityManager,
  owner: Owner,
  interviewId: string,
): Promise<Scorecard> {
  const interview = await ownedInterview(em, owner, interviewId);
  const [latest] = await em.find(Scorecard, { interviewId }, { orderBy: { id: 'desc' }, limit: 1 });
  if (!latest) throw new ApiError('resource_missing', await whyNoScorecard(em, interview), { param: 'id' });
  return latest;
}

/** An interview without a scorecard has not completed, or its scorecards went with its candidate's data. */
async function whyNoScorecard(em: EntityManager, interview: Interview): Promise<string> {
  const candidate =
    interview.status === 'completed'
      ? await em.findOne(Candidate, interview.candidateId, { fields: ['deletedAt'] })
      : null;
  if (candidate?.deletedAt) {
    return `Interview ${interview.id} has no scorecard: its candidate's data was erased, and its scorecards with it.`;
  }
  return `Interview ${interview.id} has no scorecard: it is ${interview.status}, and scoring starts when an interview completes.`;
}

export async function listScorecards(
  em: EntityManager,
  owner: Owner,
  interviewId: string,
  page: PageRequest,
): Promise<{ items: Scorecard[]; hasMore: boolean }> {
  await ownedInterview(em, owner, interviewId);
  return findPage(em, Scorecard, { interviewId }, page);
}

/** Scores a completed interview again, against its job's rubric as it is now; earlier scorecards stay. */
export async function rescore(em: EntityManager, owner: Owner, interviewId: string): Promise<Scorecard> {
  return em.transactional(async (tx) => {
    // Locked, so two rescore requests at once cannot both pass the check below.
    const interview = await ownedInterview(tx, owner, interviewId, true);
    if (interview.status !== 'completed') {
      throw new ApiError(
        'invalid_state',
        `Interview ${interviewId} is ${interview.status}: only a completed interview can be scored.`,
      );
    }
    const running = await tx.findOne(Scorecard, { interviewId, status: 'pending' });
    if (running) {
      throw new ApiError(
        'invalid_state',
        `Interview ${interviewId} is being scored (${running.id}); rescore once that run has finished.`,
      );
    }
    return queueScoring(tx, interview, 'rescore');
  });
}
