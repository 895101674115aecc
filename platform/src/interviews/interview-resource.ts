import type { SuccessBody } from '../http/operation.ts';
import { effectiveStatus, expiredAt, type InterviewView } from './interviews.ts';

export type InterviewResource = SuccessBody<'retrieveInterview'>;

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function interviewResource(interview: InterviewView): InterviewResource {
  const status = effectiveStatus(interview);
  return {
    id: interview.id,
    object: 'interview',
    livemode: interview.livemode,
    created_at: interview.createdAt.toISOString(),
    updated_at: (status === 'expired' ? expiredAt(interview) : interview.updatedAt).toISOString(),
    job_id: interview.jobId,
    candidate_id: interview.candidateId,
    status,
    expires_at: interview.expiresAt.toISOString(),
    started_at: iso(interview.startedAt),
    completed_at: iso(interview.completedAt),
    canceled_at: iso(interview.canceledAt),
    external_id: interview.externalId ?? null,
    metadata: interview.metadata,
  };
}
