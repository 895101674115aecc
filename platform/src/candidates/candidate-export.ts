import type { EntityManager } from '@mikro-orm/postgresql';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { SuccessBody } from '../http/operation.ts';
import { interviewResource } from '../interviews/interview-resource.ts';
import { interviewsOfCandidate } from '../interviews/interviews.ts';
import type { Owner } from '../owner.ts';
import { Scorecard } from '../scoring/scorecard.entity.ts';
import { scorecardResource } from '../scoring/scorecard-resource.ts';
import { recordingResource, transcriptResource } from '../transcripts/transcript-resource.ts';
import { Turn } from '../transcripts/turn.entity.ts';
import { candidateResource } from './candidate-resource.ts';
import { getCandidate } from './candidates.ts';

export type CandidateExport = SuccessBody<'exportCandidate'>;

/**
 * Everything held about one candidate, for a data-subject access request: the candidate, their interviews,
 * and from each interview what they said (transcript, recording) and what was concluded (scorecards).
 * Four queries whatever the number of interviews.
 */
export async function exportCandidate(
  em: EntityManager,
  blobs: BlobStore,
  owner: Owner,
  id: string,
): Promise<CandidateExport> {
  const candidate = await getCandidate(em, owner, id);
  const interviews = await interviewsOfCandidate(em, owner, candidate.id);
  const ids = interviews.map((interview) => interview.id);
  const [turns, scorecards] =
    ids.length === 0
      ? [[], []]
      : await Promise.all([
          em.find(Turn, { interviewId: { $in: ids } }, { orderBy: { seq: 'asc' } }),
          em.find(Scorecard, { interviewId: { $in: ids } }, { orderBy: { id: 'desc' } }),
        ]);
  const turnsOf = (interviewId: string) => turns.filter((turn) => turn.interviewId === interviewId);
  return {
    object: 'candidate_export',
    generated_at: new Date().toISOString(),
    candidate: await candidateResource(candidate, blobs),
    interviews: interviews.map(interviewResource),
    transcripts: interviews.map((interview) => transcriptResource(interview, turnsOf(interview.id))),
    recordings: await Promise.all(
      interviews.map((interview) => recordingResource(interview, turnsOf(interview.id), blobs)),
    ),
    scorecards: scorecards.map(scorecardResource),
  };
}
