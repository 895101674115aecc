import type { EntityManager } from '@mikro-orm/postgresql';
import { lockOwned } from '../db/lock-owned.ts';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import { updateMetadata } from '../metadata.ts';
import type { Owner } from '../owner.ts';
import { Job, type JobSettings, type Question, type RubricDimension } from './job.entity.ts';

export interface QuestionInput {
  text: string;
  guidance?: string;
}

export type RubricDimensionInput = Omit<RubricDimension, 'description'> & { description?: string };

export interface JobInput {
  title: string;
  description?: string;
  language?: string;
  questions: QuestionInput[];
  rubric?: { dimensions: RubricDimensionInput[] };
  settings?: Partial<JobSettings>;
  external_id?: string | null;
  metadata?: Record<string, string>;
}

export type JobUpdate = Partial<Omit<JobInput, 'metadata'>> & { metadata?: Record<string, string | null> };

export const defaultSettings: JobSettings = {
  max_duration_seconds: 1800,
  max_follow_ups: 2,
  interviewer_name: 'Viva',
  voice: 'alloy',
};

function toQuestions(input: QuestionInput[]): Question[] {
  return input.map((q) => ({ id: newId('question'), text: q.text, guidance: q.guidance ?? null }));
}

/** What the schema cannot say: dimension keys are unique. Weights need only be positive; they are normalised. */
function toRubric(rubric: { dimensions: RubricDimensionInput[] }): { dimensions: RubricDimension[] } {
  const seen = new Set<string>();
  rubric.dimensions.forEach((dimension, index) => {
    if (seen.has(dimension.key)) {
      throw new ApiError(
        'invalid_request',
        `rubric.dimensions[${index}].key "${dimension.key}" is used twice.`,
        {
          param: `rubric.dimensions.${index}.key`,
          errors: [{ pointer: `/body/rubric/dimensions/${index}/key`, detail: 'must be unique' }],
        },
      );
    }
    seen.add(dimension.key);
  });
  return { dimensions: rubric.dimensions.map((d) => ({ ...d, description: d.description ?? '' })) };
}

export async function createJob(em: EntityManager, owner: Owner, input: JobInput): Promise<Job> {
  const rubric = toRubric(input.rubric ?? { dimensions: [] });
  const now = new Date();
  const job = em.create(Job, {
    id: newId('job'),
    tenantId: owner.tenantId,
    livemode: owner.livemode,
    title: input.title,
    description: input.description ?? '',
    language: input.language ?? 'en',
    questions: toQuestions(input.questions),
    rubric,
    settings: { ...defaultSettings, ...input.settings },
    externalId: input.external_id ?? null,
    metadata: input.metadata ?? {},
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  });
  await em.flush();
  return job;
}

export async function findJob(em: EntityManager, owner: Owner, id: string): Promise<Job | null> {
  return em.findOne(Job, { id, tenantId: owner.tenantId, livemode: owner.livemode, deletedAt: null });
}

export async function getJob(em: EntityManager, owner: Owner, id: string): Promise<Job> {
  const job = await findJob(em, owner, id);
  if (!job) throw new ApiError('resource_missing', `No job ${id}.`, { param: 'id' });
  return job;
}

export async function listJobs(
  em: EntityManager,
  owner: Owner,
  page: PageRequest & { external_id?: string },
) {
  return findPage(
    em,
    Job,
    {
      tenantId: owner.tenantId,
      livemode: owner.livemode,
      deletedAt: null,
      ...(page.external_id === undefined ? {} : { externalId: page.external_id }),
    },
    page,
  );
}

const lockJob = (em: EntityManager, owner: Owner, id: string) =>
  lockOwned(em, Job, owner, id, 'job', { deletedAt: null });

/**
 * Applies a PATCH under the job's row lock: two PATCHes at once both merge into settings and metadata, and
 * the second must merge into what the first wrote, not into what both read before either wrote.
 */
export async function updateJob(
  em: EntityManager,
  owner: Owner,
  id: string,
  update: JobUpdate,
): Promise<Job> {
  if (Object.keys(update).length === 0) {
    throw new ApiError('invalid_request', 'Send at least one field to update.');
  }
  return em.transactional(async (tx) => {
    const job = await lockJob(tx, owner, id);
    const metadata = updateMetadata(job.metadata, update.metadata);
    if (update.title !== undefined) job.title = update.title;
    if (update.description !== undefined) job.description = update.description;
    if (update.language !== undefined) job.language = update.language;
    if (update.questions !== undefined) job.questions = toQuestions(update.questions);
    if (update.rubric !== undefined) job.rubric = toRubric(update.rubric);
    if (update.settings !== undefined) job.settings = { ...job.settings, ...update.settings };
    if (update.external_id !== undefined) job.externalId = update.external_id;
    job.metadata = metadata;
    job.updatedAt = new Date();
    return job;
  });
}

/**
 * Jobs are soft-deleted: interviews already scheduled for one keep their questions. Under the row lock, so of
 * two DELETEs at once the second finds the job gone (404), as it would one after the other.
 */
export async function deleteJob(em: EntityManager, owner: Owner, id: string): Promise<void> {
  await em.transactional(async (tx) => {
    const job = await lockJob(tx, owner, id);
    job.deletedAt = new Date();
  });
}
