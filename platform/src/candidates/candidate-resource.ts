import type { BlobStore } from '../blobs/blob-store.ts';
import type { SuccessBody } from '../http/operation.ts';
import type { Candidate } from './candidate.entity.ts';

export type CandidateResource = SuccessBody<'retrieveCandidate'>;

/** Resume links are minted per response and short-lived: a leaked response stops leaking quickly. */
export const resumeUrlSeconds = 15 * 60;

export async function candidateResource(candidate: Candidate, blobs: BlobStore): Promise<CandidateResource> {
  const resume = candidate.resume;
  return {
    id: candidate.id,
    object: 'candidate',
    livemode: candidate.livemode,
    created_at: candidate.createdAt.toISOString(),
    updated_at: candidate.updatedAt.toISOString(),
    name: candidate.name ?? '',
    email: candidate.email ?? null,
    external_id: candidate.externalId ?? null,
    metadata: candidate.metadata,
    resume: resume
      ? {
          filename: resume.filename,
          content_type: resume.contentType,
          size: resume.size,
          url: await blobs.signedUrl(resume.blobKey, {
            expiresInSeconds: resumeUrlSeconds,
            downloadName: resume.filename,
          }),
          url_expires_at: new Date(Date.now() + resumeUrlSeconds * 1000).toISOString(),
        }
      : null,
  };
}
