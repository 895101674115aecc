import { randomBytes } from 'node:crypto';
import type { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blob-store.ts';
import { lockOwned } from '../db/lock-owned.ts';
import { deletedObject, findPage, type PageRequest } from '../db/pagination.ts';
import { Event } from '../events/event.entity.ts';
import { recordEvent } from '../events/record-event.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import type { Interview } from '../interviews/interview.entity.ts';
import { cancelInterviewsOfCandidate, interviewsOfCandidate } from '../interviews/interviews.ts';
import { updateMetadata } from '../metadata.ts';
import type { Owner } from '../owner.ts';
import { Scorecard } from '../scoring/scorecard.entity.ts';
import { Turn } from '../transcripts/turn.entity.ts';
import { Candidate } from './candidate.entity.ts';

export interface CandidateInput {
  name: string;
  email?: string;
  external_id?: string | null;
  metadata?: Record<string, string>;
}

/** A PATCH: `email` and `external_id` may be cleared with null; `metadata` is merged. */
export interface CandidateUpdate {
  name?: string;
  email?: string | null;
  external_id?: string | null;
  metadata?: Record<string, string | null>;
}

export const resumeTypes = [
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/plain',
];
export const maxResumeBytes = 10 * 1024 * 1024;

/** Everything of one candidate's lives under one prefix, so erasure is one call that cannot miss a file. */
export function candidateBlobPrefix(owner: Owner, candidateId: string): string {
  return `${owner.tenantId}/${owner.livemode ? 'live' : 'test'}/${candidateId}/`;
}

export async function createCandidate(
  em: EntityManager,
  owner: Owner,
  input: CandidateInput,
): Promise<Candidate> {
  const now = new Date();
  const candidate = em.create(Candidate, {
    id: newId('candidate'),
    tenantId: owner.tenantId,
    livemode: owner.livemode,
    name: input.name,
    email: input.email ?? null,
    externalId: input.external_id ?? null,
    metadata: input.metadata ?? {},
    resume: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    blobsErasedAt: null,
  });
  await em.flush();
  return candidate;
}

export async function findCandidate(
  em: EntityManager,
  owner: Owner,
  id: string,
  options: { lockMode?: LockMode } = {},
): Promise<Candidate | null> {
  return em.findOne(
    Candidate,
    { id, tenantId: owner.tenantId, livemode: owner.livemode, deletedAt: null },
    options.lockMode === undefined ? {} : { lockMode: options.lockMode, refresh: true },
  );
}

export async function getCandidate(em: EntityManager, owner: Owner, id: string): Promise<Candidate> {
  const candidate = await findCandidate(em, owner, id);
  if (!candidate) throw new ApiError('resource_missing', `No candidate ${id}.`, { param: 'id' });
  return candidate;
}

export async function listCandidates(
  em: EntityManager,
  owner: Owner,
  page: PageRequest & { external_id?: string; email?: string },
) {
  return findPage(
    em,
    Candidate,
    {
      tenantId: owner.tenantId,
      livemode: owner.livemode,
      deletedAt: null,
      ...(page.external_id === undefined ? {} : { externalId: page.external_id }),
      ...(page.email === undefined ? {} : { email: page.email }),
    },
    page,
  );
}

/**
 * Applies a PATCH under the candidate's row lock: two PATCHes at once each merge their metadata into what the
 * other committed, and an erasure that commits first leaves nothing to update (404, as for any erased
 * candidate), while one that comes second erases what the PATCH wrote.
 */
export async function updateCandidate(
  em: EntityManager,
  owner: Owner,
  id: string,
  update: CandidateUpdate,
): Promise<Candidate> {
  return em.transactional(async (tx) => {
    const candidate = await lockCandidate(tx, owner, id);
    if (update.name !== undefined) candidate.name = update.name;
    if (update.email !== undefined) candidate.email = update.email;
    if (update.external_id !== undefined) candidate.externalId = update.external_id;
    candidate.metadata = updateMetadata(candidate.metadata, update.metadata);
    candidate.updatedAt = new Date();
    return candidate;
  });
}

export interface ResumeUpload {
  contentType: string;
  bytes: Buffer;
  filename?: string;
}

/**
 * Stores the new resume before pointing the candidate at it, then removes the old file: never a dangling link.
 * The pointer is set under the candidate's row lock, so an erasure that ran during the upload wins: the new
 * file goes, and the answer is the 404 of a candidate that is gone.
 */
export async function attachResume(
  em: EntityManager,
  blobs: BlobStore,
  logger: Logger,
  owner: Owner,
  id: string,
  upload: ResumeUpload,
): Promise<Candidate> {
  await getCandidate(em, owner, id);
  if (!resumeTypes.includes(upload.contentType)) {
    throw new ApiError(
      'unsupported_media_type',
      `A resume must be one of ${resumeTypes.join(', ')}; got "${upload.contentType || 'no Content-Type'}".`,
    );
  }
  if (upload.bytes.length === 0) throw new ApiError('invalid_request', 'The resume is empty.');
  const blobKey = `${candidateBlobPrefix(owner, id)}resume/${randomBytes(8).toString('hex')}`;
  await blobs.put(blobKey, upload.bytes, upload.contentType);
  const attached = await em
    .transactional(async (tx) => {
      const candidate = await lockCandidate(tx, owner, id);
      const previous = candidate.resume;
      candidate.resume = {
        blobKey,
        filename: upload.filename ?? 'resume',
        contentType: upload.contentType,
        size: upload.bytes.length,
      };
      candidate.updatedAt = new Date();
      return { candidate, previous };
    })
    .catch(async (error: unknown) => {
      await discard(blobs, logger, blobKey);
      throw error;
    });
  // The new resume is attached whatever happens to the old file; one left behind goes with an erasure.
  if (attached.previous) await discard(blobs, logger, attached.previous.blobKey);
  return attached.candidate;
}

async function discard(blobs: BlobStore, logger: Logger, key: string): Promise<void> {
  await blobs
    .delete(key)
    .catch((err: unknown) => logger.warn({ err, key }, 'could not delete a resume file'));
}

/** The candidate's row, locked for the rest of the transaction; erasure and writes about them queue on it. */
export const lockCandidate = (em: EntityManager, owner: Owner, id: string) =>
  lockOwned(em, Candidate, owner, id, 'candidate', { deletedAt: null });

/**
 * Erasure: personal fields are cleared, open interviews are canceled, and what was said in every interview
 * goes (transcripts, scorecards, the scorecard events that quote them, idempotent replays that repeat them),
 * in one transaction. The id stays as a tombstone, so references from interviews still resolve and a
 * repeated DELETE is a 404, not a second erasure. Their files are deleted after the commit; if storage
 * fails, the tombstone keeps the deletion owed and `finishBlobErasures` retries it. Returns the interviews
 * it canceled: their candidate may still be in one.
 */
export async function eraseCandidate(
  em: EntityManager,
  blobs: BlobStore,
  logger: Logger,
  owner: Owner,
  id: string,
): Promise<Interview[]> {
  const canceled = await em.transactional(async (tx) => {
    const candidate = await lockCandidate(tx, owner, id);
    candidate.name = null;
    candidate.email = null;
    candidate.externalId = null;
    candidate.metadata = {};
    candidate.resume = null;
    candidate.deletedAt = new Date();
    candidate.updatedAt = candidate.deletedAt;
    const canceled = await cancelInterviewsOfCandidate(tx, owner, id);
    // What was said in their interviews is theirs too; the interviews stay, empty, for the ATS's records.
    const interviewIds = (await interviewsOfCandidate(tx, owner, id)).map((i) => i.id);
    if (interviewIds.length > 0) {
      await tx.nativeDelete(Turn, { interviewId: { $in: interviewIds } });
      // Scorecards quote what they said; a scoring run still under way finds its row gone and writes nothing.
      // One that got there first has committed its event by now (this waits on its row lock), so the events
      // go after the scorecards, with any delivery of them still owed.
      await tx.nativeDelete(Scorecard, { interviewId: { $in: interviewIds } });
      await tx.nativeDelete(Event, { interviewId: { $in: interviewIds }, type: { $like: 'scorecard.%' } });
    }
    await forgetReplays(tx, owner, [id, ...interviewIds]);
    recordEvent(tx, owner, 'candidate.deleted', deletedObject(id, 'candidate'));
    return canceled;
  });
  await eraseBlobs(em, blobs, owner, id).catch((err: unknown) =>
    logger.warn({ err, candidate_id: id }, 'could not delete an erased candidate’s files; the sweep retries'),
  );
  return canceled;
}

/**
 * Idempotent replays that would repeat what erasure removed: the responses naming the candidate or one of
 * their interviews (their name and e-mail, their answers' text), and every request of their sessions.
 */
async function forgetReplays(em: EntityManager, owner: Owner, ids: string[]): Promise<void> {
  const named = ids.map(() => 'strpos(response_body, ?) > 0').join(' or ');
  const sessions = ids.map(() => '?').join(', ');
  await em.execute(
    `delete from idempotency_keys
      where tenant_id = ? and livemode = ? and (${named} or split_part(key, E'\\n', 1) in (${sessions}))`,
    [owner.tenantId, owner.livemode, ...ids.map((id) => `"${id}"`), ...ids],
  );
}

async function eraseBlobs(em: EntityManager, blobs: BlobStore, owner: Owner, id: string): Promise<void> {
  await blobs.deletePrefix(candidateBlobPrefix(owner, id));
  await em.nativeUpdate(Candidate, { id, blobsErasedAt: null }, { blobsErasedAt: new Date() });
}

/**
 * Deletes the files of erased candidates whose deletion failed at the time; run periodically. Returns how
 * many it finished; one that fails again does not hold up the others, and the first failure is thrown after.
 */
export async function finishBlobErasures(em: EntityManager, blobs: BlobStore): Promise<number> {
  const owed = await em.find(
    Candidate,
    { deletedAt: { $ne: null }, blobsErasedAt: null },
    { fields: ['id', 'tenantId', 'livemode'], orderBy: { deletedAt: 'asc' }, limit: 100 },
  );
  const failures: unknown[] = [];
  for (const candidate of owed) {
    await eraseBlobs(em, blobs, candidate, candidate.id).catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} erased candidates' files could not be deleted`);
  }
  return owed.length;
}
