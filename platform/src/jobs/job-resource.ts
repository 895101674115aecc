import type { SuccessBody } from '../http/operation.ts';
import type { Job } from './job.entity.ts';

export type JobResource = SuccessBody<'retrieveJob'>;

export function jobResource(job: Job): JobResource {
  return {
    id: job.id,
    object: 'job',
    livemode: job.livemode,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    title: job.title,
    description: job.description,
    language: job.language,
    questions: job.questions.map((q) => ({ id: q.id, text: q.text, guidance: q.guidance })),
    rubric: job.rubric,
    settings: job.settings,
    external_id: job.externalId,
    metadata: job.metadata,
  } as JobResource;
}
