import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { BlobStore } from '../blobs/blob-store.ts';
import { deletedObject, findPage, type PageRequest } from '../db/pagination.ts';
import { recordEvent } from '../events/record-event.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import type { Interview } from '../interviews/interview.entity.ts';
import { cancelInterviewsOfCandidate, interviewsOfCandidate } from '../interviews/interviews.ts';
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
  const candidate = em.create(Candidate, {
    id: newId('candidate'),
    tenantId: owner.tenantId,
    livemode: owner.livemode,
    name: input.name,
    email: input.email ?? null,
    externalId: input.external_id ?? null,
    metadata: input.metadata ?? {},
    resume: null,
    createdAt: new Date(),
    deletedAt: null,
  });
  await em.flush();
  return candidate;
}

export async function findCandidate(em: EntityManager, owner: Owner, id: string): Promise<Candidate | null> {
  return em.findOne(Candidate, { id, tenantId: owner.tenantId, livemode: owner.livemode, deletedAt: null });
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

export interface ResumeUpload {
  contentType: string;
  bytes: Buffer;
  filename?: string;
}

/** Stores the new resume before pointing the candidate at it, then removes the old file: never a dangling link. */
export async function attachResume(
  em: EntityManager,
  blobs: BlobStore,
  owner: Owner,
  id: string,
  upload: ResumeUpload,
): Promise<Candidate> {
  const candidate = await getCandidate(em, owner, id);
  if (!resumeTypes.includes(upload.contentType)) {
    throw new ApiError(
      'unsupported_media_type',
      `A resume must be one of ${resumeTypes.join(', ')}; got "${upload.contentType || 'no Content-Type'}".`,
    );
  }
  if (upload.bytes.length === 0) throw new ApiError('invalid_request', 'The resume is empty.');
  const previous = candidate.resume;
  const blobKey = `${candidateBlobPrefix(owner, id)}resume/${randomBytes(8).toString('hex')}`;
  await blobs.put(blobKey, upload.bytes, upload.contentType);
  candidate.resume = {
    blobKey,
    filename: upload.filename ?? 'resume',
    contentType: upload.contentType,
    size: upload.bytes.length,
  };
  await em.flush();
  if (previous) await blobs.delete(previous.blobKey);
  return candidate;
}

/**
 * Erasure: personal fields are cleared, every blob under the candidate's prefix is deleted, open
 * interviews are canceled and their transcripts and scorecards deleted, in one transaction for the rows. The
 * id stays as a tombstone, so references from interviews still resolve and a repeated DELETE is a 404, not a
 * second erasure. Returns the interviews it canceled: their candidate may still be in one.
 */
export async function eraseCandidate(
  em: EntityManager,
  blobs: BlobStore,
  owner: Owner,
  id: string,
): Promise<Interview[]> {
  const canceled = await em.transactional(async (tx) => {
    const candidate = await getCandidate(tx, owner, id);
    candidate.name = null;
    candidate.email = null;
    candidate.externalId = null;
    candidate.metadata = {};
    candidate.resume = null;
    candidate.deletedAt = new Date();
    const canceled = await cancelInterviewsOfCandidate(tx, owner, id);
    // What was said in their interviews is theirs too; the interviews stay, empty, for the ATS's records.
    const interviewIds = (await interviewsOfCandidate(tx, owner, id)).map((i) => i.id);
    if (interviewIds.length > 0) {
      await tx.nativeDelete(Turn, { interviewId: { $in: interviewIds } });
      // Scorecards quote what they said; a scoring run still under way finds its row gone and writes nothing.
      await tx.nativeDelete(Scorecard, { interviewId: { $in: interviewIds } });
    }
    recordEvent(tx, owner, 'candidate.deleted', deletedObject(id, 'candidate'));
    return canceled;
  });
  await blobs.deletePrefix(candidateBlobPrefix(owner, id));
  return canceled;
}
