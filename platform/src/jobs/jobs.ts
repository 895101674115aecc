import type { EntityManager } from '@mikro-orm/postgresql';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import { mergeMetadata } from '../metadata.ts';
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

const maxMetadataKeys = 50;

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
          param: 'rubric.dimensions',
          errors: [{ pointer: `/body/rubric/dimensions/${index}/key`, detail: 'must be unique' }],
        },
      );
    }
    seen.add(dimension.key);
  });
  return { dimensions: rubric.dimensions.map((d) => ({ ...d, description: d.description ?? '' })) };
}

function checkMetadataSize(metadata: Record<string, string>): void {
  if (Object.keys(metadata).length > maxMetadataKeys) {
    throw new ApiError('invalid_request', `metadata may hold at most ${maxMetadataKeys} keys.`, {
      param: 'metadata',
    });
  }
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

export async function updateJob(
  em: EntityManager,
  owner: Owner,
  id: string,
  update: JobUpdate,
): Promise<Job> {
  if (Object.keys(update).length === 0) {
    throw new ApiError('invalid_request', 'Send at least one field to update.');
  }
  const job = await getJob(em, owner, id);
  const metadata = mergeMetadata(job.metadata, update.metadata);
  checkMetadataSize(metadata);
  if (update.title !== undefined) job.title = update.title;
  if (update.description !== undefined) job.description = update.description;
  if (update.language !== undefined) job.language = update.language;
  if (update.questions !== undefined) job.questions = toQuestions(update.questions);
  if (update.rubric !== undefined) job.rubric = toRubric(update.rubric);
  if (update.settings !== undefined) job.settings = { ...job.settings, ...update.settings };
  if (update.external_id !== undefined) job.externalId = update.external_id;
  job.metadata = metadata;
  job.updatedAt = new Date();
  await em.flush();
  return job;
}

/** Jobs are soft-deleted: interviews already scheduled for one keep their questions. */
export async function deleteJob(em: EntityManager, owner: Owner, id: string): Promise<void> {
  const job = await getJob(em, owner, id);
  job.deletedAt = new Date();
  await em.flush();
}
