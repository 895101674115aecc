import { type FilterQuery, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findCandidate } from '../candidates/candidates.ts';
import { lockOwned } from '../db/lock-owned.ts';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { initialProgress } from '../engine/progress.ts';
import { recordInterviewEvent } from '../events/record-event.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import { findJob } from '../jobs/jobs.ts';
import { updateMetadata } from '../metadata.ts';
import type { Owner } from '../owner.ts';
import { Interview, type InterviewStatus } from './interview.entity.ts';

export interface InterviewInput {
  job_id: string;
  candidate_id: string;
  expires_at?: string;
  external_id?: string | null;
  metadata?: Record<string, string>;
}

/** A PATCH: `external_id` may be cleared with null; `metadata` is merged; `expires_at` only while scheduled. */
export interface InterviewUpdate {
  expires_at?: string;
  external_id?: string | null;
  metadata?: Record<string, string | null>;
}

const day = 24 * 60 * 60 * 1000;
export const defaultLifetimeMs = 7 * day;
export const maxLifetimeMs = 90 * day;

/** A scheduled interview whose invitation has lapsed reads as expired at once, before any sweep records it. */
export function effectiveStatus(
  interview: Pick<Interview, 'status' | 'expiresAt'>,
  now = new Date(),
): InterviewStatus {
  return interview.status === 'scheduled' && interview.expiresAt <= now ? 'expired' : interview.status;
}

/**
 * When an expired interview last changed: the moment its invitation lapsed, whether or not a sweep has
 * recorded it yet, so a client that syncs on `updated_at` sees the change as soon as the status reads
 * `expired`, and the sweep (which records the same moment) does not move it again. A later write (a
 * metadata PATCH) is later still.
 */
export function expiredAt(interview: Pick<Interview, 'updatedAt' | 'expiresAt'>): Date {
  return new Date(Math.max(interview.updatedAt.getTime(), interview.expiresAt.getTime()));
}

function expiryFrom(input: string | undefined, now: Date): Date {
  if (input === undefined) return new Date(now.getTime() + defaultLifetimeMs);
  const expiresAt = new Date(input);
  if (expiresAt <= now) {
    throw new ApiError('invalid_request', 'expires_at must be in the future.', { param: 'expires_at' });
  }
  if (expiresAt.getTime() - now.getTime() > maxLifetimeMs) {
    throw new ApiError('invalid_request', 'expires_at must be at most 90 days ahead.', {
      param: 'expires_at',
    });
  }
  return expiresAt;
}

export async function createInterview(
  em: EntityManager,
  owner: Owner,
  input: InterviewInput,
): Promise<Interview> {
  const now = new Date();
  const expiresAt = expiryFrom(input.expires_at, now);
  // The candidate's row is held (shared) until the interview is in: an erasure waits for it, and cancels it,
  // or goes first, and then there is no candidate to interview.
  return em.transactional(async (tx) => {
    const [job, candidate] = await Promise.all([
      findJob(tx, owner, input.job_id),
      findCandidate(tx, owner, input.candidate_id, { lockMode: LockMode.PESSIMISTIC_READ }),
    ]);
    if (!job) throw new ApiError('invalid_reference', `No job ${input.job_id}.`, { param: 'job_id' });
    if (!candidate) {
      throw new ApiError('invalid_reference', `No candidate ${input.candidate_id}.`, {
        param: 'candidate_id',
      });
    }
    const interview = tx.create(Interview, {
      id: newId('interview'),
      tenantId: owner.tenantId,
      livemode: owner.livemode,
      jobId: job.id,
      candidateId: candidate.id,
      status: 'scheduled',
      expiresAt,
      startedAt: null,
      completedAt: null,
      canceledAt: null,
      externalId: input.external_id ?? null,
      metadata: input.metadata ?? {},
      progress: initialProgress(),
      tokensUsed: 0,
      jobSnapshot: null,
      eventSequence: 0,
      createdAt: now,
      updatedAt: now,
    });
    recordInterviewEvent(tx, 'interview.scheduled', interview);
    return interview;
  });
}

export async function getInterview(em: EntityManager, owner: Owner, id: string): Promise<Interview> {
  const interview = await em.findOne(Interview, { id, tenantId: owner.tenantId, livemode: owner.livemode });
  if (!interview) throw new ApiError('resource_missing', `No interview ${id}.`, { param: 'id' });
  return interview;
}

/** What the API shows of an interview: the columns `interviewResource` reads. */
export type InterviewView = Pick<
  Interview,
  | 'id'
  | 'livemode'
  | 'createdAt'
  | 'updatedAt'
  | 'jobId'
  | 'candidateId'
  | 'status'
  | 'expiresAt'
  | 'startedAt'
  | 'completedAt'
  | 'canceledAt'
  | 'externalId'
  | 'metadata'
>;

interface InterviewViewRow {
  id: string;
  livemode: boolean;
  created_at: string;
  updated_at: string;
  job_id: string;
  candidate_id: string;
  status: InterviewStatus;
  expires_at: string;
  started_at: string | null;
  completed_at: string | null;
  canceled_at: string | null;
  external_id: string | null;
  metadata: Record<string, string>;
}

/**
 * An interview to show, read in plain SQL and never managed. This is the API's most frequent read: as a
 * prepared statement on the ORM's own pool, it costs the database a plan once per connection instead of
 * once per request, and skips the ORM's query building and hydration, which cost more than the query.
 */
export async function readInterview(em: EntityManager, owner: Owner, id: string): Promise<InterviewView> {
  const pool = await em.getConnection().getNativeClient();
  const { rows } = await pool.query<InterviewViewRow>({
    name: 'read-interview',
    text: `select id, livemode, created_at, updated_at, job_id, candidate_id, status, expires_at, started_at,
                  completed_at, canceled_at, external_id, metadata
             from interviews where id = $1 and tenant_id = $2 and livemode = $3`,
    values: [id, owner.tenantId, owner.livemode],
  });
  const [row] = rows;
  if (!row) throw new ApiError('resource_missing', `No interview ${id}.`, { param: 'id' });
  // The ORM's own parser, so a date reads exactly as it does through an entity.
  const platform = em.getPlatform();
  const date = (value: string) => platform.parseDate(value) as Date;
  const optionalDate = (value: string | null) => (value === null ? null : date(value));
  return {
    id: row.id,
    livemode: row.livemode,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    jobId: row.job_id,
    candidateId: row.candidate_id,
    status: row.status,
    expiresAt: date(row.expires_at),
    startedAt: optionalDate(row.started_at),
    completedAt: optionalDate(row.completed_at),
    canceledAt: optionalDate(row.canceled_at),
    externalId: row.external_id,
    metadata: row.metadata,
  };
}

export interface InterviewFilters extends PageRequest {
  status?: InterviewStatus;
  job_id?: string;
  candidate_id?: string;
  external_id?: string;
}

function statusFilter(status: InterviewStatus, now: Date): FilterQuery<Interview> {
  if (status === 'expired')
    return { $or: [{ status: 'expired' }, { status: 'scheduled', expiresAt: { $lte: now } }] };
  if (status === 'scheduled') return { status: 'scheduled', expiresAt: { $gt: now } };
  return { status };
}

export async function listInterviews(em: EntityManager, owner: Owner, filters: InterviewFilters) {
  const where: FilterQuery<Interview>[] = [{ tenantId: owner.tenantId, livemode: owner.livemode }];
  if (filters.status) where.push(statusFilter(filters.status, new Date()));
  if (filters.job_id) where.push({ jobId: filters.job_id });
  if (filters.candidate_id) where.push({ candidateId: filters.candidate_id });
  if (filters.external_id !== undefined) where.push({ externalId: filters.external_id });
  return findPage(em, Interview, { $and: where }, filters);
}

const lockInterview = (em: EntityManager, owner: Owner, id: string) =>
  lockOwned(em, Interview, owner, id, 'interview');

/**
 * Applies a PATCH under the interview's row lock. `expires_at` is the deadline to start, so it moves only
 * while the interview is `scheduled` and its invitation still runs: an interview that has started, ended or
 * lapsed cannot be reopened by it. The sweeper skips a row this holds, and finds the new deadline after; a
 * session token reads it on every request, so a token of the interview stops when the new one passes.
 */
export async function updateInterview(
  em: EntityManager,
  owner: Owner,
  id: string,
  update: InterviewUpdate,
): Promise<Interview> {
  const now = new Date();
  const expiresAt = update.expires_at === undefined ? undefined : expiryFrom(update.expires_at, now);
  return em.transactional(async (tx) => {
    const interview = await lockInterview(tx, owner, id);
    if (expiresAt !== undefined) {
      const status = effectiveStatus(interview, now);
      if (status !== 'scheduled') {
        throw new ApiError(
          'invalid_state',
          `Interview ${id} is ${status}: expires_at can only change while it is scheduled.`,
          { param: 'expires_at' },
        );
      }
      interview.expiresAt = expiresAt;
    }
    if (update.external_id !== undefined) interview.externalId = update.external_id;
    interview.metadata = updateMetadata(interview.metadata, update.metadata);
    interview.updatedAt = now;
    return interview;
  });
}

const cancelable: InterviewStatus[] = ['scheduled', 'in_progress'];

export async function cancelInterview(em: EntityManager, owner: Owner, id: string): Promise<Interview> {
  // Locked: the engine may be moving the same interview on, and the cancellation must not undo its step.
  return em.transactional(async (tx) => {
    const interview = await lockInterview(tx, owner, id);
    const status = effectiveStatus(interview);
    if (!cancelable.includes(status)) {
      throw new ApiError('invalid_state', `Interview ${id} is ${status} and can no longer be canceled.`);
    }
    markCanceled(tx, interview);
    return interview;
  });
}

function markCanceled(em: EntityManager, interview: Interview): void {
  const now = new Date();
  interview.status = 'canceled';
  interview.canceledAt = now;
  interview.updatedAt = now;
  interview.progress = { ...interview.progress, awaiting: 'none', leaseUntil: null };
  recordInterviewEvent(em, 'interview.canceled', interview);
}

/**
 * Part of erasing a candidate, inside its transaction: nothing may still run on their behalf. Returns the
 * interviews it canceled, whose candidate may still be in one.
 */
export async function cancelInterviewsOfCandidate(
  em: EntityManager,
  owner: Owner,
  candidateId: string,
): Promise<Interview[]> {
  const open = await em.find(
    Interview,
    { tenantId: owner.tenantId, livemode: owner.livemode, candidateId, status: { $in: cancelable } },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  // An invitation that lapsed before any sweep recorded it stays expired, not canceled.
  const canceled = open.filter((interview) => cancelable.includes(effectiveStatus(interview)));
  for (const interview of canceled) markCanceled(em, interview);
  return canceled;
}

export async function interviewsOfCandidate(
  em: EntityManager,
  owner: Owner,
  candidateId: string,
): Promise<Interview[]> {
  return em.find(
    Interview,
    { tenantId: owner.tenantId, livemode: owner.livemode, candidateId },
    { orderBy: { id: 'desc' } },
  );
}
